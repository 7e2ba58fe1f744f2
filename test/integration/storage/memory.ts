import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// What a stream holds is what survives a garbage collection while it runs: collecting before each
// sample tells memory kept (a whole file in a buffer) from garbage not yet collected.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const retained = () => {
  gc();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
};

/** Runs fn and returns the largest growth of retained memory (JS heap and buffers) seen while it ran,
 * sampled every 100 ms (each sample costs a full collection). */
export async function peakRetainedMemory(fn: () => Promise<void>): Promise<number> {
  const baseline = retained();
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, retained());
  }, 100);
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, retained()) - baseline;
}
