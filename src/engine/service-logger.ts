/** The logging the engine needs from its host; pino's logger satisfies it. */
export interface ServiceLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export const silentLogger: ServiceLogger = {
  info() {},
  warn() {},
  error() {},
  debug() {},
};
