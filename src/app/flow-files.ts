import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { flowDocuments, shiftErrors } from '../flow/documents.js';
import { loadFlow } from '../flow/load.js';
import type { Flow, FlowError } from '../flow/model.js';
import { inlineManifestFiles } from './manifest-files.js';

export interface LoadedFlows {
  flows: Flow[];
  errors: FlowError[];
}

/** Loads flow files, every mistake of every file at once; a file may hold several flows, one per
 * YAML document. */
export async function loadFlowFiles(files: string[]): Promise<LoadedFlows> {
  const flows: Flow[] = [];
  const errors: FlowError[] = [];
  for (const file of files) {
    let source: string;
    try {
      source = await readFile(file, 'utf8');
    } catch (error) {
      errors.push({ file, line: 1, col: 1, message: `cannot read file: ${(error as Error).message}` });
      continue;
    }
    for (const doc of flowDocuments(source)) {
      const loaded = loadFlow(doc.source, file);
      errors.push(...shiftErrors(loaded.errors, doc.lineOffset));
      if (loaded.flow) {
        errors.push(...(await inlineManifestFiles(loaded.flow, file)));
        flows.push(loaded.flow);
      }
    }
  }
  return { flows, errors };
}

/** Every .yaml / .yml file under a directory, recursively, in a stable order. */
export async function flowFilesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name))
    .map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
    .sort();
}
