// Values of SECRET inputs as an execution stores them: sealed (encrypted) where they are given, opened
// only where a template renders them, masked in every answer. A sealed value is a string
// `sluice-sealed:v1:…`, so that whoever holds a document or a job finds them without the flow that
// declared them: a worker has only its job.
import type { SecretCipher } from './cipher.js';
import { REDACTED } from './redactor.js';

export const SEALED_PREFIX = 'sluice-sealed:';

/** Authenticated with every sealed value: a value encrypted for another purpose (a stored secret,
 * a connector field) cannot be handed in as a sealed input to have a task decrypt it. */
const CONTEXT = 'sluice execution input';

export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(SEALED_PREFIX);
}

/** Seals and opens the values of SECRET inputs. */
export interface InputSeal {
  seal(clear: string): string;
  /** the clear value; throws when the value was sealed with another key, or is no sealed value */
  open(sealed: string): string;
}

export function createInputSeal(cipher: SecretCipher): InputSeal {
  return {
    seal: (clear) => SEALED_PREFIX + cipher.encrypt(clear, CONTEXT),
    open(sealed) {
      try {
        return cipher.decrypt(sealed.slice(SEALED_PREFIX.length), CONTEXT);
      } catch {
        throw new Error(
          'a SECRET input cannot be decrypted: is SLUICE_ENCRYPTION_KEY the key it was sealed with?',
        );
      }
    },
  };
}

/** A copy of value with every string replaced by what fn gives for it. */
function mapStrings(value: unknown, fn: (text: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, fn));
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, fn)]));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Does value hold a sealed value anywhere? A walk that allocates nothing: every API answer takes
 * it, and nearly none holds one. */
export function holdsSealed(value: unknown): boolean {
  if (typeof value === 'string') return value.startsWith(SEALED_PREFIX);
  if (Array.isArray(value)) {
    for (const item of value) if (holdsSealed(item)) return true;
    return false;
  }
  if (!isPlainObject(value)) return false;
  for (const key in value) if (holdsSealed(value[key])) return true;
  return false;
}

/** What an API answer, a printed document or the UI shows: every sealed value as the mask (value
 * itself when it holds none). */
export function maskSealed<T>(value: T): T {
  if (!holdsSealed(value)) return value;
  return mapStrings(value, (text) => (isSealed(text) ? REDACTED : text)) as T;
}

/** Inputs as templates see them: every sealed value opened. `secrets` lists the clear values, for
 * the redactor of whoever renders with them. When a value cannot be opened, the inputs are given
 * back as they are with the reason, for the first render to fail with. */
export function openSealed<T>(
  inputs: T,
  seal: InputSeal | undefined,
): { inputs: T; secrets: string[]; failure?: Error } {
  const secrets: string[] = [];
  try {
    const opened = mapStrings(inputs, (text) => {
      if (!isSealed(text)) return text;
      if (!seal) throw new Error('a SECRET input cannot be decrypted: no encryption key is configured');
      const clear = seal.open(text);
      secrets.push(clear);
      return clear;
    }) as T;
    return { inputs: opened, secrets };
  } catch (error) {
    return { inputs, secrets: [], failure: error as Error };
  }
}
