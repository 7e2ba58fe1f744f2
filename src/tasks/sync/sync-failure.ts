import type { FailureType } from '../../protocol/messages.js';

/** A sync that cannot go on, with Airbyte's failure type (config_error is not worth a retry). */
export class SyncFailure extends Error {
  constructor(
    readonly failureType: FailureType,
    message: string,
  ) {
    super(message);
    this.name = 'SyncFailure';
  }
}
