import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadFlowFiles } from '../../../src/app/flow-files.js';
import { loadFlow } from '../../../src/flow/load.js';

// Several flows in one file, one YAML document each, as Kestra's bulk and validate calls take them.

const TWO = `id: first
namespace: test.docs
tasks:
  - id: a
    type: log
    message: "a---b"
---
id: second
namespace: test.docs
tasks:
  - id: b
    type: log
    mesage: typo
`;

async function withFile<T>(text: string, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-docs-'));
  try {
    const file = path.join(dir, 'flows.yaml');
    await writeFile(file, text);
    return await fn(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('flow files with several YAML documents', () => {
  test('each document is loaded as its own flow, with its own source', async () => {
    const fixed = TWO.replace('mesage', 'message');
    const { flows, errors } = await withFile(fixed, (f) => loadFlowFiles([f]));
    expect(errors).toEqual([]);
    expect(flows.map((f) => f.id)).toEqual(['first', 'second']);
    expect(flows[1].source.startsWith('id: second')).toBe(true);
  });

  test("a document's errors are reported at their lines in the whole file", async () => {
    const { flows, errors } = await withFile(TWO, (f) => loadFlowFiles([f]));
    expect(flows.map((f) => f.id)).toEqual(['first']);
    // the second document starts at line 8: its typo is on line 13 of the file
    expect(errors.find((e) => e.message.includes('mesage'))?.line).toBe(13);
    expect(errors.every((e) => e.line >= 8)).toBe(true);
  });

  test('a single flow given several documents is refused with what to do', () => {
    const { errors } = loadFlow(TWO, 'flow.yaml');
    expect(errors[0].message).toBe(
      'one flow is one YAML document: this text holds several (`---`); send them one by one',
    );
  });
});
