// What a task run must never write in clear: the values it obtained through secret() and the secret
// fields of its connectors' configurations. Its log lines, its outputs and its error pass through
// here before they are stored.

export const REDACTED = '******';

/** Shorter values are not masked inside text: masking every `ab` or `1` would garble each log line
 * while hiding nothing (a secret that short is guessed, not read). Outputs equal to one still are. */
export const MIN_MASKED_LENGTH = 4;

export class Redactor {
  private readonly exact = new Set<string>();
  /** longest first, so that a secret containing another is masked whole */
  private forms: string[] = [];

  static of(secrets: Iterable<string>): Redactor {
    const redactor = new Redactor();
    for (const secret of secrets) redactor.add(secret);
    return redactor;
  }

  /** Registers a secret. Besides the value itself, the forms in which it is commonly printed are
   * masked: JSON-escaped and URL-encoded, and each line of a multi-line value on its own (scripts
   * log line by line, so a PEM key would otherwise leak one line per log entry). */
  add(value: string): void {
    if (value === '' || this.exact.has(value)) return;
    this.exact.add(value);
    const forms = new Set([value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]);
    for (const line of value.split(/\r?\n/)) forms.add(line.trim());
    const fresh = [...forms].filter((f) => f.length >= MIN_MASKED_LENGTH && !this.forms.includes(f));
    this.forms = [...this.forms, ...fresh].sort((a, b) => b.length - a.length);
  }

  get empty(): boolean {
    return this.exact.size === 0;
  }

  /** Does value hold a secret, in whichever form text() would mask it? */
  finds(value: unknown): boolean {
    if (this.empty) return false;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return text !== undefined && (this.exact.has(text) || this.text(text) !== text);
  }

  text(text: string): string {
    let out = text;
    for (const form of this.forms) if (out.includes(form)) out = out.split(form).join(REDACTED);
    return out;
  }

  /** A copy of plain data (outputs) with every secret masked, in keys too. */
  value(value: unknown): unknown {
    if (this.empty) return value;
    if (typeof value === 'string') return this.exact.has(value) ? REDACTED : this.text(value);
    if (typeof value === 'number' || typeof value === 'bigint') {
      const text = String(value);
      return this.exact.has(text) || this.text(text) !== text ? REDACTED : value;
    }
    if (Array.isArray(value)) return value.map((item) => this.value(item));
    if (isPlainObject(value)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [this.text(k), this.value(v)]));
    }
    return value;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
