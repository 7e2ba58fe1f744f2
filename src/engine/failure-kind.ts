// Why a write failed decides what the engine does next: the database being away (a restart, no
// connection, no disk space) is waited out, however long it lasts; a conflict between replicas is
// retried at once; anything else is this piece of work's own fault (the database refused what it
// was given, or the code threw while handling it), and trying it again and again is bounded, so
// that it can never hold up the work of others.

export type FailureKind = 'conflict' | 'unavailable' | 'refused';

/** Operating-system errors of a connection (node-postgres reports them with the errno as code). */
const CONNECTION_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOSPC',
]);

/** SQLSTATE classes of a database that cannot work right now, whatever it is asked: 08 connection
 * exception, 25 invalid transaction state (a read-only standby), 28 authorization, 3D no such
 * database, 53 insufficient resources (disk full, out of memory, too many connections), 55 object
 * not in prerequisite state (lock not available), 57 operator intervention (shutdown, restart,
 * cancelled), 58 system error (I/O), XX internal error. */
const UNAVAILABLE_CLASSES = new Set(['08', '25', '28', '3D', '53', '55', '57', '58', 'XX']);

/** Messages of connection failures that node-postgres reports without a code. */
const CONNECTION_MESSAGE =
  /connection (terminated|ended|closed|lost|refused)|terminating connection|timeout exceeded when trying to connect|Client has encountered a connection error|Connection terminated|PGlite is closed/i;

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function isSqlState(code: string): boolean {
  return /^[0-9A-Z]{5}$/.test(code) && !CONNECTION_ERRNOS.has(code);
}

export function failureKind(error: unknown): FailureKind {
  if (error instanceof DatabaseStoppedError) return 'unavailable';
  const code = codeOf(error);
  if (code === '40001' || code === '40P01') return 'conflict';
  if (code !== undefined && CONNECTION_ERRNOS.has(code)) return 'unavailable';
  if (code !== undefined && isSqlState(code)) {
    return UNAVAILABLE_CLASSES.has(code.slice(0, 2)) ? 'unavailable' : 'refused';
  }
  if (error instanceof Error && CONNECTION_MESSAGE.test(error.message)) return 'unavailable';
  return 'refused';
}

/** Whether the error came from the database (an SQLSTATE, a broken connection) rather than from
 * the code that was handling the data: such an error aborts the transaction it happened in. */
export function isDatabaseError(error: unknown): boolean {
  if (error instanceof DatabaseStoppedError) return true;
  const code = codeOf(error);
  if (code !== undefined && (isSqlState(code) || CONNECTION_ERRNOS.has(code))) return true;
  return error instanceof Error && CONNECTION_MESSAGE.test(error.message);
}

/** SQLSTATE 53100 (disk full), or the operating system's ENOSPC. */
export function isDiskFull(error: unknown): boolean {
  const code = codeOf(error);
  return (
    code === '53100' ||
    code === 'ENOSPC' ||
    /no space left on device/i.test(String((error as Error)?.message))
  );
}

/** The database stopped for good in this process (the embedded one after a fatal error): nothing
 * is sent to it any more, and the process should exit (docs/engine.md, Full disk). */
export class DatabaseStoppedError extends Error {
  constructor(cause: Error) {
    super(`the database stopped after a fatal error: ${cause.message}`, { cause });
  }
}
