// A small seeded generator. Each record gets its own, derived from (seed, stream, id), so a record is
// the same whether a read starts at id 1 or resumes at id 10,001, and no record costs its predecessors.

export type Random = () => number;

/** mulberry32: fast, 32-bit state, good enough for test data (not for anything secret). */
export function recordRandom(seed: number, stream: number, id: number): Random {
  let state = (seed ^ Math.imul(stream, 0x85ebca6b) ^ Math.imul(id, 0x9e3779b1)) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

export function between(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
