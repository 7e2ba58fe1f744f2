/** Builds a parameterised WHERE clause one condition at a time: each value becomes the next $n. */
export class SqlFilter {
  readonly params: unknown[] = [];
  private readonly clauses: string[] = [];

  /** Adds `clause($n)` with value as $n, unless the value is undefined. */
  add(value: unknown, clause: (param: string) => string): this {
    if (value === undefined) return this;
    this.params.push(value);
    this.clauses.push(clause(`$${this.params.length}`));
    return this;
  }

  /** `namespace` or any of its child namespaces. */
  /** The namespace and its children. In the "C" collation every child `a.…` sorts in [`a.`, `a/`)
   * ('/' follows '.'), which an index on `namespace COLLATE "C"` serves (migration 0006). */
  namespace(value: string | undefined): this {
    return this.add(
      value || undefined,
      (p) =>
        `(namespace COLLATE "C" = ${p} OR (namespace COLLATE "C" >= ${p} || '.' AND namespace COLLATE "C" < ${p} || '/'))`,
    );
  }

  get where(): string {
    return this.clauses.length > 0 ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}
