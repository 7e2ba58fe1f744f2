// What every runtime component shares: its manifest definition, the variables its templates see, and
// the error that names where in the manifest a component went wrong.
import { ConfigError } from '../../../cdk/errors.js';

/** A component's definition, as the loader prepared it. */
export type Component = Record<string, unknown> & { type: string };

export class ComponentError extends ConfigError {
  constructor(component: Component | undefined, message: string) {
    super(component?.type && !message.startsWith(component.type) ? `${component.type}: ${message}` : message);
  }
}

/** The interpolation variables a component's templates get: config and its $parameters, always. */
export interface Ctx {
  readonly config: Record<string, unknown>;
  vars(extra?: Record<string, unknown>): Record<string, unknown>;
}

export function ctxFor(config: Record<string, unknown>, component: Component | undefined): Ctx {
  const parameters = (component?.$parameters as Record<string, unknown> | undefined) ?? {};
  return {
    config,
    vars: (extra) => ({ config, parameters, ...extra }),
  };
}
