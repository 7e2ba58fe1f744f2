// A sync source `connector: declarative-manifest` may name its manifest by a path relative to the flow
// file. The file is read when the flow is loaded, so that the stored flow carries the manifest itself
// and runs on any worker, as an inline manifest would.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import type { Flow, FlowError } from '../flow/model.js';

const MANIFEST_CONNECTORS = new Set(['declarative-manifest', 'source-declarative-manifest']);

/** Replaces every manifest path in the flow's sync sources by the manifest it names; the mistakes. */
export async function inlineManifestFiles(flow: Flow, file: string): Promise<FlowError[]> {
  const errors: FlowError[] = [];
  const refs: Record<string, unknown>[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const obj = node as Record<string, unknown>;
      if (MANIFEST_CONNECTORS.has(String(obj.connector)) && typeof obj.manifest === 'string') refs.push(obj);
      else Object.values(obj).forEach(walk);
    }
  };
  walk([flow.tasks, flow.errors, flow.finally, flow.afterExecution ?? []]);
  for (const ref of refs) {
    const target = path.resolve(path.dirname(file), ref.manifest as string);
    try {
      ref.manifest = parse(await readFile(target, 'utf8')) as unknown;
    } catch (error) {
      errors.push({
        file,
        line: 1,
        col: 1,
        message: `source.manifest: cannot read the manifest ${ref.manifest as string}: ${(error as Error).message}`,
      });
    }
  }
  return errors;
}
