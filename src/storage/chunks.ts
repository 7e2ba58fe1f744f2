/** Cuts a stream of pieces of any size into chunks of exactly `size` bytes (the last one shorter),
 * holding no more than one chunk. Strings count as their UTF-8 bytes. */
export async function* fixedChunks(
  source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  size: number,
): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let held = 0;
  for await (const piece of source) {
    let rest = typeof piece === 'string' ? Buffer.from(piece) : piece;
    while (held + rest.length >= size) {
      const take = size - held;
      parts.push(rest.subarray(0, take));
      yield Buffer.concat(parts, size);
      parts = [];
      held = 0;
      rest = rest.subarray(take);
    }
    if (rest.length > 0) {
      parts.push(rest);
      held += rest.length;
    }
  }
  if (held > 0) yield Buffer.concat(parts, held);
}
