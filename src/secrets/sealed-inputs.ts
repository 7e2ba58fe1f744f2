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

/** A copy of value in which every string fn changes is replaced, or value itself when none is:
 * answers without sealed values (nearly all) cost a walk, not a copy. */
function mapStrings(value: unknown, fn: (text: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) {
    const items = value.map((item) => mapStrings(item, fn));
    return items.some((item, i) => item !== value[i]) ? items : value;
  }
  if (value === null || typeof value !== 'object' || !isPlain(value)) return value;
  let changed = false;
  const entries = Object.entries(value).map(([key, item]) => {
    const mapped = mapStrings(item, fn);
    changed ||= mapped !== item;
    return [key, mapped] as const;
  });
  return changed ? Object.fromEntries(entries) : value;
}

function isPlain(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** What an API answer, a printed document or the UI shows: every sealed value as the mask. */
export function maskSealed<T>(value: T): T {
  return mapStrings(value, (text) => (isSealed(text) ? REDACTED : text)) as T;
}

/** Does value hold a sealed value anywhere? */
export function holdsSealed(value: unknown): boolean {
  let found = false;
  mapStrings(value, (text) => {
    found ||= isSealed(text);
    return text;
  });
  return found;
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
