import { readFileSync } from 'node:fs';
import { formatFlowError, loadFlow } from '../../../src/flow/load.js';
import type { Flow } from '../../../src/flow/model.js';

const FIXTURES = new URL('../../fixtures/flows/', import.meta.url);

export function readFixture(path: string): string {
  return readFileSync(new URL(path, FIXTURES), 'utf8');
}

/** The formatted errors of a fixture under test/fixtures/flows/invalid, labelled with its file name. */
export function errorsOfFixture(name: string): string[] {
  return loadFlow(readFixture(`invalid/${name}`), name).errors.map(formatFlowError);
}

/** The formatted errors of a flow written in the test, labelled `flow.yaml`. */
export function errorsOf(source: string): string[] {
  return loadFlow(source, 'flow.yaml').errors.map(formatFlowError);
}

/** The loaded flow; fails the test with the errors when there are any. */
export function flowOf(source: string): Flow {
  const { flow, errors } = loadFlow(source, 'flow.yaml');
  if (!flow) throw new Error(`expected a valid flow, got:\n${errors.map(formatFlowError).join('\n')}`);
  return flow;
}

export function flowOfFixture(name: string): Flow {
  return flowOf(readFixture(`valid/${name}`));
}

/** A flow around the given task list lines (already indented by two spaces). */
export function withTasks(tasks: string): string {
  return `id: sample\nnamespace: tests\ntasks:\n${tasks}`;
}
