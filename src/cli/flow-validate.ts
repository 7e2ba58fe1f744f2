import { loadFlowFiles } from '../app/flow-files.js';
import { formatFlowError } from '../flow/errors.js';
import { EXIT_INVALID, EXIT_OK } from './exit-codes.js';

export async function validateFlows(files: string[]): Promise<number> {
  const { flows, errors } = await loadFlowFiles(files);
  for (const e of errors) process.stderr.write(`${formatFlowError(e)}\n`);
  for (const f of flows) process.stdout.write(`valid: ${f.namespace}.${f.id}\n`);
  return errors.length > 0 ? EXIT_INVALID : EXIT_OK;
}
