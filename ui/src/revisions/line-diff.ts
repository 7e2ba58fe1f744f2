// A side-by-side line diff of two texts: the longest common subsequence of their lines is what
// stays; the rest is removed (left only), added (right only), or changed where a removal and an
// addition meet. Flow sources are a few hundred lines at most, so the O(n·m) table is cheap.

export interface DiffSide {
  /** 1-based line number in its text */
  line: number;
  text: string;
}

export interface DiffRow {
  kind: 'same' | 'removed' | 'added' | 'changed';
  left?: DiffSide;
  right?: DiffSide;
}

const linesOf = (text: string) => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));

export function lineDiff(before: string, after: string): DiffRow[] {
  const a = linesOf(before);
  const b = linesOf(after);
  // common[i][j]: length of the longest common subsequence of a[i..] and b[j..]
  const common = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i][j] = a[i] === b[j] ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
    }
  }

  const rows: DiffRow[] = [];
  let removed: DiffSide[] = [];
  let added: DiffSide[] = [];
  // a run of removals next to a run of additions reads best paired line by line
  const flush = () => {
    for (let k = 0; k < Math.max(removed.length, added.length); k++) {
      const left = removed[k];
      const right = added[k];
      rows.push({ kind: left && right ? 'changed' : left ? 'removed' : 'added', left, right });
    }
    removed = [];
    added = [];
  };
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      flush();
      rows.push({ kind: 'same', left: { line: i + 1, text: a[i] }, right: { line: j + 1, text: b[j] } });
      i++;
      j++;
    } else if (j >= b.length || (i < a.length && common[i + 1][j] >= common[i][j + 1])) {
      removed.push({ line: i + 1, text: a[i] });
      i++;
    } else {
      added.push({ line: j + 1, text: b[j] });
      j++;
    }
  }
  flush();
  return rows;
}
