import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// What a stream holds is what survives a garbage collection while it runs: collecting before each
// sample tells memory kept (a whole file in a buffer) from garbage not yet collected.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Samples are spaced so that collecting takes at most a tenth of the time, whatever the heap's size
 * and the machine's load: a full collection in a large test worker can take longer than the stream. */
const SAMPLE_SHARE = 10;
const MIN_SPACING_MS = 100;

/** Retained memory (JS heap and buffers) right after a full collection, and what that collection took. */
function retained(): { bytes: number; ms: number } {
  const started = performance.now();
  gc();
  const ms = performance.now() - started;
  const { heapUsed, external } = process.memoryUsage();
  return { bytes: heapUsed + external, ms };
}

/** Runs fn and returns the largest growth of retained memory seen while it ran. */
export async function peakRetainedMemory(fn: () => Promise<void>): Promise<number> {
  const baseline = retained();
  let peak = baseline.bytes;
  let timer: NodeJS.Timeout | undefined;
  const sample = (spacingMs: number) => {
    timer = setTimeout(() => {
      const now = retained();
      peak = Math.max(peak, now.bytes);
      sample(Math.max(MIN_SPACING_MS, now.ms * SAMPLE_SHARE));
    }, spacingMs);
  };
  sample(Math.max(MIN_SPACING_MS, baseline.ms * SAMPLE_SHARE));
  try {
    await fn();
  } finally {
    clearTimeout(timer);
  }
  return Math.max(peak, retained().bytes) - baseline.bytes;
}
