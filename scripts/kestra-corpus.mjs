#!/usr/bin/env node
// Measures how much of Kestra's own test-flow corpus Sluice's flow loader takes as Kestra does: every
// flow under a `valids`-like folder must validate, every flow under an `invalids` folder must be
// rejected. Not a test: it prints numbers (and the reasons behind the misses) for notes and reports.
//
//   npm run build && node scripts/kestra-corpus.mjs [CORPUS_DIR] [--list]
//
// CORPUS_DIR defaults to ../shared/reference/kestra-test-flows (the copy the issue refers to).
// Templates (Kestra's deprecated `templates` folders) are not flows and are left out.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { loadFlow } = await import(path.join(ROOT, 'dist/flow/load.js'));
const { flowDocuments } = await import(path.join(ROOT, 'dist/flow/documents.js'));

const args = process.argv.slice(2);
const list = args.includes('--list');
const corpus = path.resolve(
  args.find((a) => !a.startsWith('--')) ?? path.join(ROOT, '../../shared/reference/kestra-test-flows'),
);

function yamlFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...yamlFiles(full));
    else if (/\.ya?ml$/.test(name)) out.push(full);
  }
  return out;
}

/** Which group a file belongs to, and whether Kestra accepts it. */
function classify(rel) {
  const parts = rel.split(path.sep);
  if (parts.some((p) => /^templates|Templates$/.test(p))) return undefined;
  if (parts.includes('invalids'))
    return { group: rel.startsWith('core') ? 'core invalids' : 'other invalids', valid: false };
  if (parts.includes('valids')) return { group: 'core valids', valid: true };
  return { group: 'other flows', valid: true };
}

/** The first error of a flow, shortened to what it is about (quoted names kept, positions dropped). */
function reason(error) {
  return error.message.replace(/, got .*$/, '').slice(0, 120);
}

const groups = new Map();
const reasons = new Map();
for (const file of yamlFiles(corpus)) {
  const rel = path.relative(corpus, file);
  const kind = classify(rel);
  if (!kind) continue;
  // a file of several YAML documents holds several flows, as `sluice flow validate` reads it
  const errors = flowDocuments(readFileSync(file, 'utf8')).flatMap((d) => loadFlow(d.source, file).errors);
  const valid = errors.length === 0;
  const g = groups.get(kind.group) ?? { total: 0, asKestra: 0, misses: [] };
  groups.set(kind.group, g);
  g.total++;
  if (valid === kind.valid) g.asKestra++;
  else {
    const why = valid ? 'accepted although Kestra rejects it' : reason(errors[0]);
    g.misses.push(`${rel}: ${why}`);
    if (!valid) reasons.set(why, (reasons.get(why) ?? 0) + 1);
  }
}

for (const [name, g] of groups) {
  const verb = name.includes('invalid') ? 'rejected' : 'validate';
  console.log(`${name}: ${g.asKestra} of ${g.total} ${verb} as in Kestra`);
  if (list) for (const miss of g.misses) console.log(`  ${miss}`);
}
console.log('\nfirst errors of flows that should validate, most frequent first:');
for (const [why, n] of [...reasons].sort((a, b) => b[1] - a[1]))
  console.log(`  ${String(n).padStart(3)}  ${why}`);
