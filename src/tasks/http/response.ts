/** Kestra's headers output: lower-case name → list of values. fetch joins repeated headers with ", "
 * (which cannot be split back safely: dates contain commas), so each name holds that one joined value,
 * except Set-Cookie whose values fetch keeps apart. */
export function responseHeaders(headers: Headers): Record<string, string[]> {
  const map: Record<string, string[]> = {};
  headers.forEach((value, name) => {
    map[name] = name === 'set-cookie' ? headers.getSetCookie() : [value];
  });
  return map;
}

/** A response that arrived fine but cannot be kept as a text output. */
export class UnusableResponse extends Error {}

/** The response body as text, refusing bodies over maxBytes: the body lands in the task outputs, which
 * live in the database and are copied into every later task's variables. Kestra decodes the body as
 * UTF-8 and refuses text that is not valid UTF-8; so does this. Null when there is no body at all. */
export async function readTextBody(
  response: Response,
  maxBytes: number,
  onData: () => void,
  target: string,
): Promise<string | null> {
  const tooLarge = (): UnusableResponse =>
    new UnusableResponse(
      `The response of ${target} is larger than ${formatBytes(maxBytes)}, too large to keep in the task outputs; ` +
        'use io.kestra.plugin.core.http.Download to store it as a file instead',
    );
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return null;

  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
    onData();
  }
  if (total === 0) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new UnusableResponse(
      `The response of ${target} is not valid UTF-8 text; use io.kestra.plugin.core.http.Download for binary content`,
    );
  }
}

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MB` : `${bytes} bytes`;
}
