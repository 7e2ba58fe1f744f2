import type { Flowable } from './flowable.js';
import { forEachItem, forEachItemExecutable } from './for-each-item.js';
import { ifFlowable } from './if.js';
import { parallel } from './parallel.js';
import { sequential } from './sequential.js';
import { waitFor } from './wait-for.js';
import { workingDirectory } from './working-directory.js';

// The flowable task types resolved through the Flowable interface. Adding one is a module here and
// a line below; the processor needs no change.
const FLOWABLES: readonly Flowable[] = [
  sequential,
  parallel,
  ifFlowable,
  waitFor,
  workingDirectory,
  forEachItem,
  forEachItemExecutable,
];

const byType: ReadonlyMap<string, Flowable> = new Map(FLOWABLES.map((f) => [f.type, f]));

export function findFlowable(type: string): Flowable | undefined {
  return byType.get(type);
}
