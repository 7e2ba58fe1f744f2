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
  namespace(value: string | undefined): this {
    return this.add(value || undefined, (p) => `(namespace = ${p} OR namespace LIKE ${p} || '.%')`);
  }

  get where(): string {
    return this.clauses.length > 0 ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}
