// The Airbyte connector command line: `spec`, `check --config F`, `discover --config F`,
// `read --config F --catalog F [--state F]`, `write --config F --catalog F`, and Sluice's
// `committed-state --config F --catalog F` for a destination that has it (cdk/connector.ts).
import { ConfigError } from './errors.js';

export type Verb = 'spec' | 'check' | 'discover' | 'read' | 'write' | 'committed-state';

export interface ConnectorArgs {
  verb: Verb;
  config?: string;
  catalog?: string;
  state?: string;
}

const REQUIRED: Record<Verb, readonly ('config' | 'catalog')[]> = {
  spec: [],
  check: ['config'],
  discover: ['config'],
  read: ['config', 'catalog'],
  write: ['config', 'catalog'],
  'committed-state': ['config', 'catalog'],
};

const FILE_OPTIONS = new Set(['config', 'catalog', 'state']);

export function parseArgs(argv: readonly string[], verbs: readonly Verb[]): ConnectorArgs {
  const [verb, ...rest] = argv;
  if (!verbs.includes(verb as Verb)) {
    throw new ConfigError(`expected a command among ${verbs.join(', ')}, got ${verb ?? 'nothing'}`);
  }
  const args: ConnectorArgs = { verb: verb as Verb };
  for (let i = 0; i < rest.length; i++) {
    const match = /^--([a-z]+)(?:=(.*))?$/.exec(rest[i]);
    const name = match?.[1] ?? '';
    if (!FILE_OPTIONS.has(name)) throw new ConfigError(`unknown argument ${rest[i]}`);
    const value = match?.[2] ?? rest[++i];
    if (value === undefined || value === '') throw new ConfigError(`--${name} needs a file`);
    args[name as 'config' | 'catalog' | 'state'] = value;
  }
  for (const name of REQUIRED[args.verb]) {
    if (args[name] === undefined) throw new ConfigError(`${args.verb} needs --${name} FILE`);
  }
  return args;
}
