import { describe, expect, test } from 'vitest';
import { decideAuth, isLoopback } from '../../../src/auth/policy.js';

test('loopback addresses are 127.0.0.0/8, ::1 and localhost', () => {
  const hosts = [
    '127.0.0.1',
    '127.1.2.3',
    '::1',
    '[::1]',
    'localhost',
    '0.0.0.0',
    '::',
    '192.168.1.5',
    'example.org',
  ];
  expect(hosts.map(isLoopback)).toEqual([true, true, true, true, true, false, false, false, false]);
});

describe('server local', () => {
  test('on a loopback address it runs without authentication unless told to use it', () => {
    expect([decideAuth(true, '127.0.0.1', undefined), decideAuth(true, '127.0.0.1', true)]).toEqual([
      { enabled: false },
      { enabled: true },
    ]);
  });

  test('on any other address authentication is on', () => {
    expect(decideAuth(true, '0.0.0.0', undefined)).toEqual({ enabled: true });
  });

  test('on any other address turning authentication off is refused', () => {
    expect(() => decideAuth(true, '0.0.0.0', false)).toThrow(/only on a loopback address.*not on 0\.0\.0\.0/);
  });
});

describe('standalone and webserver', () => {
  test('authentication is on by default, even on a loopback address', () => {
    expect(decideAuth(false, '127.0.0.1', undefined)).toEqual({ enabled: true });
  });

  test('auth.enabled: false turns it off with a warning for the log', () => {
    expect(decideAuth(false, '0.0.0.0', false)).toEqual({
      enabled: false,
      warning: expect.stringMatching(/authentication is off .*anyone who can reach 0\.0\.0\.0/),
    });
  });
});
