// A task may say more about its failure than its message: what kind it is, whether trying again can
// help, and whether the attempt got somewhere first. Retry policies read it (Airbyte's sync policy
// tells partial from complete failures, and never retries a configuration error), and the attempt
// keeps it so that whoever shows the attempts can say why each one failed.

export interface AttemptFailure {
  /** the task's own classification (a sync: Airbyte's failure type) */
  type?: string;
  /** false: no retry policy tries again (a configuration the user must fix first) */
  retryable?: boolean;
  /** the attempt made progress before it failed (Airbyte: some records were committed) */
  progress?: boolean;
  /** what the attempt had done when it failed (a sync: its committed counts) */
  outputs?: Record<string, unknown>;
}

const KEY = 'attemptFailure';

/** Marks an error with what the task knows of it; the same error is returned, to be thrown. */
export function withAttemptFailure<E>(error: E, failure: AttemptFailure): E {
  if (error !== null && typeof error === 'object') Object.assign(error, { [KEY]: failure });
  return error;
}

export function attemptFailureOf(error: unknown): AttemptFailure | undefined {
  const failure = (error as Record<string, unknown> | null)?.[KEY];
  return failure !== null && typeof failure === 'object' ? (failure as AttemptFailure) : undefined;
}
