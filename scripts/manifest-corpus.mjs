#!/usr/bin/env node
// Measures how much of Airbyte's manifest-only catalogue the declarative runtime takes: every pure
// manifest (no components.py, no Custom* component) must follow the shipped schema and load with
// every component and option supported. Not a test: it prints numbers (and the first reason each
// manifest does not load, counted) for notes and reports. The manifests are ELv2: read them from a
// copy of Airbyte's repository, never from this project.
//
//   npx tsc -p tsconfig.build.json && node scripts/manifest-corpus.mjs CONNECTORS_DIR [--list]
//
// CONNECTORS_DIR holds `source-*/{metadata.yaml,manifest.yaml[,components.py]}`, e.g.
// `airbyte-integrations/connectors` of a checkout of 5x-Platform/airbyte.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { prepareManifest, manifestFrom, resolveReferences } = await import(
  path.join(ROOT, 'dist/connectors/declarative/loader.js')
);
const { SUPPORTED_TYPES } = await import(path.join(ROOT, 'dist/connectors/declarative/source.js'));

const args = process.argv.slice(2);
const list = args.includes('--list');
const dir = args.find((a) => !a.startsWith('--'));
if (!dir) {
  process.stderr.write('usage: node scripts/manifest-corpus.mjs CONNECTORS_DIR [--list]\n');
  process.exit(2);
}

/** Whether a resolved manifest uses a Custom* component anywhere. */
function usesCustom(node) {
  if (Array.isArray(node)) return node.some(usesCustom);
  if (node === null || typeof node !== 'object') return false;
  if (typeof node.type === 'string' && node.type.startsWith('Custom')) return true;
  return Object.values(node).some(usesCustom);
}

/** The reason without what varies between manifests (paths, values), to count alike ones together. */
function reasonKey(message) {
  if (message.includes("does not follow Airbyte's declarative schema"))
    return 'schema: ' + message.slice(0, 160);
  const type = /: (\w+) is not supported/.exec(message);
  if (type) return type[1];
  const option = /\.(\w+) is not supported/.exec(message);
  if (option) return option[1];
  return message.replace(/streams\.\d+/g, 'streams.N').slice(0, 160);
}

const pure = [];
for (const name of readdirSync(dir).sort()) {
  const folder = path.join(dir, name);
  const metadata = path.join(folder, 'metadata.yaml');
  const manifestFile = path.join(folder, 'manifest.yaml');
  if (!name.startsWith('source-') || !existsSync(metadata) || !existsSync(manifestFile)) continue;
  if (!/language:manifest-only/.test(readFileSync(metadata, 'utf8'))) continue;
  if (existsSync(path.join(folder, 'components.py'))) continue;
  const text = readFileSync(manifestFile, 'utf8');
  let custom = false;
  try {
    custom = usesCustom(resolveReferences(manifestFrom(text)));
  } catch {
    // unreadable: counted below as not loading
  }
  if (!custom) pure.push({ name, text });
}

let valid = 0;
let loaded = 0;
const reasons = new Map();
for (const { name, text } of pure) {
  try {
    prepareManifest(text, SUPPORTED_TYPES);
    valid++;
    loaded++;
  } catch (error) {
    const message = error.message;
    if (!message.includes("does not follow Airbyte's declarative schema")) valid++;
    const key = reasonKey(message);
    if (!reasons.has(key)) reasons.set(key, []);
    reasons.get(key).push(name);
    if (list) process.stdout.write(`${name}: ${message.slice(0, 300)}\n`);
  }
}

const pct = (n) => `${((100 * n) / pure.length).toFixed(1)}%`;
process.stdout.write(
  `pure manifest-only connectors: ${pure.length}\nfollow the schema: ${valid} (${pct(valid)})\nload fully: ${loaded} (${pct(loaded)})\n\nfirst reason a manifest does not load:\n`,
);
for (const [key, names] of [...reasons].sort((a, b) => b[1].length - a[1].length))
  process.stdout.write(
    `${String(names.length).padStart(4)}  ${key}  (${names.slice(0, 4).join(', ')}${names.length > 4 ? ', …' : ''})\n`,
  );
