import type { SharedDirectoryKit } from '../../engine/ports.js';
import { copyNamespaceFiles } from './namespace-files.js';
import { storeOutputFiles, writeInputFiles } from './working-dir.js';

/** The script tasks' rules for working directories, lent to the worker for a WorkingDirectory's
 * shared one. */
export const sharedDirectoryKit: SharedDirectoryKit = {
  copyNamespaceFiles,
  writeInputFiles,
  storeOutputFiles,
};
