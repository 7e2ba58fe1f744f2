// Functions that make or read data without touching the platform: yaml(), fromIon(), uuid(), id(),
// randomInt(), encrypt() and decrypt().
import {
  type CipherGCMTypes,
  createCipheriv,
  createDecipheriv,
  randomBytes,
  randomInt,
  randomUUID,
} from 'node:crypto';
import { parse as parseYamlText } from 'yaml';
import type { Args } from './args.js';
import { Fault } from './errors.js';
import { fromIon } from './ion.js';
import type { FunctionDef } from './registry.js';
import { describe } from './values.js';

function text(args: Args, name: string): string {
  const value = args.required(name);
  if (typeof value !== 'string') {
    throw new Fault(`${args.owner} expects an argument \`${name}\` with type string, got ${describe(value)}`);
  }
  return value;
}

/** YAML as data. Aliases are resolved (the `yaml` package caps their expansion); the JSON round trip
 * keeps only plain data (a `__proto__` key becomes an ordinary one). */
function parseYaml(args: Args): unknown {
  const source = text(args, 'yaml');
  let value: unknown;
  try {
    value = parseYamlText(source, { maxAliasCount: 100, prettyErrors: false });
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : '';
    throw new Fault(`${args.owner} got invalid YAML: ${reason.slice(0, 160)}`);
  }
  return value === undefined ? null : (JSON.parse(JSON.stringify(value) ?? 'null') as unknown);
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Kestra's IdUtils.create(): a random 128-bit UUID written in base 62 (22 characters at most). */
function shortId(): string {
  let n = BigInt(`0x${randomBytes(16).toString('hex')}`);
  let id = '';
  do {
    id = BASE62[Number(n % 62n)] + id;
    n /= 62n;
  } while (n > 0n);
  return id;
}

function integer(args: Args, name: string): number {
  const value = args.required(name);
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new Fault(
      `${args.owner} expects an argument \`${name}\` with type integer, got ${describe(value)}`,
    );
  }
  return value;
}

/** Kestra's bounds: lower included, upper excluded (the same when they are equal). */
function random(args: Args): number {
  const lower = integer(args, 'lower');
  const upper = integer(args, 'upper');
  if (upper < lower) throw new Fault(`${args.owner} expects upper to be at least lower`);
  return upper === lower ? lower : randomInt(lower, upper);
}

const IV_LENGTH = 12;
const TAG_LENGTH = 16;

/** Kestra's EncryptionService: AES-GCM with the key given (base64, 16, 24 or 32 bytes), the 12-byte IV
 * first, the tag last, all in base64. Messages never say more than what is wrong. */
function aesKey(args: Args): Buffer {
  const key = Buffer.from(text(args, 'key'), 'base64');
  if (![16, 24, 32].includes(key.length)) {
    throw new Fault(`${args.owner} expects a base64 key of 16, 24 or 32 bytes`);
  }
  return key;
}

function gcm(key: Buffer): CipherGCMTypes {
  return key.length === 16 ? 'aes-128-gcm' : key.length === 24 ? 'aes-192-gcm' : 'aes-256-gcm';
}

function encrypt(args: Args): unknown {
  const plaintext = text(args, 'plaintext');
  const key = aesKey(args);
  if (plaintext === '') return plaintext;
  const iv = randomBytes(IV_LENGTH);
  const cipher = createCipheriv(gcm(key), key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
}

function decrypt(args: Args): unknown {
  const encrypted = text(args, 'encrypted');
  const key = aesKey(args);
  if (encrypted === '') return encrypted;
  const data = Buffer.from(encrypted, 'base64');
  if (data.length < IV_LENGTH + TAG_LENGTH)
    throw new Fault(`${args.owner} got a value that is not encrypted`);
  try {
    const decipher = createDecipheriv(gcm(key), key, data.subarray(0, IV_LENGTH));
    decipher.setAuthTag(data.subarray(data.length - TAG_LENGTH));
    const body = data.subarray(IV_LENGTH, data.length - TAG_LENGTH);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    throw new Fault(`${args.owner} cannot decrypt the value with this key`);
  }
}

export const dataFunctions: [string, FunctionDef][] = [
  ['yaml', { args: ['yaml'], call: parseYaml }],
  [
    'fromIon',
    {
      args: ['ion'],
      call(args) {
        const ion = args.required('ion');
        if (ion === null) return null;
        if (typeof ion !== 'string') throw new Fault(`${args.owner} expects a string, got ${describe(ion)}`);
        return fromIon(ion);
      },
    },
  ],
  ['uuid', { args: [], call: () => randomUUID() }],
  ['id', { args: [], call: shortId }],
  ['randomInt', { args: ['lower', 'upper'], call: random }],
  ['encrypt', { args: ['key', 'plaintext'], call: encrypt }],
  ['decrypt', { args: ['key', 'encrypted'], call: decrypt }],
];
