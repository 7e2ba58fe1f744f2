// Functions backed by platform services (internal storage, namespace files, the KV store): read(),
// fileSize(), kv(), and fileURI(), which only names where a namespace file lives.
import { namespaceFilesPrefix } from '../storage/paths.js';
import type { Args } from './args.js';
import { Fault } from './errors.js';
import type { CallEnv, FunctionDef } from './registry.js';
import { describe, getMember, getVariable } from './values.js';

const URI = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

function flowNamespace(env: CallEnv, owner: string): string {
  const namespace = getMember(getVariable(env.variables(), 'flow'), 'namespace');
  if (typeof namespace !== 'string') {
    throw new Fault(`${owner} needs \`flow.namespace\`, which this render does not have`);
  }
  return namespace;
}

function path(args: Args, message: string): string {
  const value = args.required('path');
  if (typeof value !== 'string') throw new Fault(`${args.owner}: ${message}, got ${describe(value)}`);
  return value;
}

/** A storage URI (`sluice:///…`) reads a file of internal storage, anything else a namespace file. */
function read(args: Args, env: CallEnv): unknown {
  const file = path(args, 'expects a path to a namespace file or an internal storage URI');
  if (URI.test(file)) return env.service({ kind: 'read', uri: file });
  return env.service({ kind: 'namespaceFile', namespace: flowNamespace(env, args.owner), path: file });
}

function fileSize(args: Args, env: CallEnv): unknown {
  const file = path(args, 'expects an internal storage URI');
  if (!URI.test(file)) throw new Fault(`${args.owner} expects an internal storage URI, not a path`);
  return env.service({ kind: 'size', uri: file });
}

/** Where a namespace file is stored (storage/paths.ts), which a task of the namespace may read. */
function fileUri(args: Args, env: CallEnv): unknown {
  let file = path(args, 'expects a path to a namespace file');
  if (file.startsWith('/')) file = file.slice(1);
  if (file.includes('../')) throw new Fault("Path must not contain '../'");
  return `sluice:///${namespaceFilesPrefix(flowNamespace(env, args.owner))}/${file}`;
}

function kv(args: Args, env: CallEnv): unknown {
  const key = args.string('key');
  const namespace = args.optionalString('namespace') ?? flowNamespace(env, args.owner);
  const found = env.service({ kind: 'kv', namespace, key }) as { value: unknown } | undefined;
  if (found !== undefined && found !== null) return found.value;
  if (args.boolean('errorOnMissing', false)) {
    throw new Fault(`The key '${key}' does not exist in the namespace '${namespace}'.`);
  }
  return null;
}

export const platformFunctions: [string, FunctionDef][] = [
  ['read', { args: ['path'], call: read }],
  ['fileSize', { args: ['path'], call: fileSize }],
  ['fileURI', { args: ['path'], call: fileUri }],
  ['kv', { args: ['key', 'namespace', 'errorOnMissing'], call: kv }],
];
