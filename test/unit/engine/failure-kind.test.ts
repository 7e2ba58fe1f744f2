import { describe, expect, test } from 'vitest';
import {
  DatabaseStoppedError,
  failureKind,
  isDatabaseError,
  isDiskFull,
} from '../../../src/engine/failure-kind.js';

const sqlError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('failureKind', () => {
  test('serialization failures and deadlocks are conflicts, retried at once', () => {
    expect([sqlError('40001'), sqlError('40P01')].map(failureKind)).toEqual(['conflict', 'conflict']);
  });

  test('a database that is away is waited out: no connection, a restart, a full disk, a stopped embedded one', () => {
    const errors = [
      sqlError('ECONNREFUSED'),
      sqlError('EPIPE'),
      new Error('Connection terminated unexpectedly'),
      sqlError('57P01', 'terminating connection due to administrator command'),
      sqlError('57P03', 'the database system is starting up'),
      sqlError('08006'),
      sqlError('53100', 'could not extend file: No space left on device'),
      sqlError('25006', 'cannot execute UPDATE in a read-only transaction'),
      new DatabaseStoppedError(new Error('PANIC')),
    ];
    expect(errors.map(failureKind)).toEqual(errors.map(() => 'unavailable'));
  });

  test('what the database refuses as data, and errors of the code, are refusals', () => {
    const errors = [
      sqlError('22P05', 'unsupported Unicode escape sequence'),
      sqlError('22008', 'timestamp out of range'),
      sqlError('23505'),
      sqlError('54000', 'total size of jsonb array elements exceeds the maximum'),
      new RangeError('Invalid string length'),
      new Error('a stored secret cannot be decrypted'),
    ];
    expect(errors.map(failureKind)).toEqual(errors.map(() => 'refused'));
  });
});

describe('isDatabaseError', () => {
  test('SQLSTATE codes and broken connections come from the database; errors of the code do not', () => {
    expect(
      [sqlError('22008'), sqlError('ECONNRESET'), new Error('Connection terminated'), new TypeError('x')].map(
        isDatabaseError,
      ),
    ).toEqual([true, true, true, false]);
  });
});

describe('isDiskFull', () => {
  test('SQLSTATE 53100, ENOSPC and the message PostgreSQL gives are a full disk', () => {
    expect(
      [
        sqlError('53100'),
        sqlError('ENOSPC'),
        new Error('could not write: No space left on device'),
        sqlError('53200'),
      ].map(isDiskFull),
    ).toEqual([true, true, true, false]);
  });
});
