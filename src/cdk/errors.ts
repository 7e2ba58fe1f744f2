import type { FailureType } from '../protocol/messages.js';

/** A failure whose Airbyte failure type the connector knows: the cdk reports it with that type. */
export class ConnectorError extends Error {
  constructor(
    readonly failureType: FailureType,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ConnectorError';
  }
}

/** The user's configuration is wrong: retrying will not help. */
export class ConfigError extends ConnectorError {
  constructor(message: string, options?: ErrorOptions) {
    super('config_error', message, options);
  }
}

/** A failure that may pass (network, rate limit): worth a retry. */
export class TransientError extends ConnectorError {
  constructor(message: string, options?: ErrorOptions) {
    super('transient_error', message, options);
  }
}
