// One notification to one URL: a POST of JSON, bounded in time and in tries. Nothing here throws:
// a notification that cannot be delivered is logged and given up, it never holds up or fails the
// sync or flow it is about.
import { checkDestination, RefusedDestination } from './url-policy.js';

export interface DeliveryOptions {
  /** per try (default 5 s) */
  timeoutMs?: number;
  /** tries in all (default 3) */
  attempts?: number;
  /** wait before the second try, doubled before each later one (default 1 s) */
  backoffMs?: number;
}

export interface DeliveryResult {
  ok: boolean;
  attempts: number;
  status?: number;
  error?: string;
}

/** 408, 429 and 5xx are worth another try; another 4xx says the receiver will never take it. */
const retryable = (status: number) => status === 408 || status === 429 || status >= 500;

export async function deliver(
  url: string,
  body: unknown,
  options: DeliveryOptions = {},
): Promise<DeliveryResult> {
  const attempts = options.attempts ?? 3;
  let result: DeliveryResult = { ok: false, attempts: 0 };
  for (let i = 1; i <= attempts; i++) {
    if (i > 1) await new Promise((r) => setTimeout(r, (options.backoffMs ?? 1000) * 2 ** (i - 2)));
    result = { ...(await tryOnce(url, body, options.timeoutMs ?? 5000)), attempts: i };
    if (result.ok) return result;
    const again =
      result.status === undefined ? !result.error?.startsWith('refused') : retryable(result.status);
    if (!again) return result;
  }
  return result;
}

async function tryOnce(
  url: string,
  body: unknown,
  timeoutMs: number,
): Promise<Omit<DeliveryResult, 'attempts'>> {
  try {
    await checkDestination(url);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Sluice-Notifications' },
      body: JSON.stringify(body),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // the answer is not read: a receiver cannot make us hold a large body in memory
    await res.body?.cancel();
    return res.ok
      ? { ok: true, status: res.status }
      : { ok: false, status: res.status, error: `HTTP ${res.status}` };
  } catch (error) {
    if (error instanceof RefusedDestination) return { ok: false, error: `refused: ${error.message}` };
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
