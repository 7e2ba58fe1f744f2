import { ExpressionError } from './errors.js';

export interface ExpressionLimits {
  /** Longest render output, and longest intermediate string (concat, join, replace…). */
  maxOutputLength: number;
  /** Loop iterations plus range() items, in total, per render. */
  maxIterations: number;
  /** Parser nesting depth, and nested render() calls. */
  maxDepth: number;
  /** Wall-clock time per render. */
  timeoutMs: number;
}

export const DEFAULT_LIMITS: Readonly<ExpressionLimits> = Object.freeze({
  maxOutputLength: 1_000_000,
  maxIterations: 100_000,
  maxDepth: 64,
  timeoutMs: 2_000,
});

export function resolveLimits(partial: Partial<ExpressionLimits> | undefined): ExpressionLimits {
  if (!partial) return DEFAULT_LIMITS;
  const limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof ExpressionLimits)[]) {
    const value = partial[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value > 0)) {
      throw new ExpressionError(`limit ${key} must be a positive number`);
    }
    limits[key] = value;
  }
  return limits;
}

export function depthError(limits: ExpressionLimits): ExpressionError {
  return new ExpressionError(`nested deeper than ${limits.maxDepth} levels`);
}

/**
 * What one top-level render may still spend. Shared by the nested renders it starts, so that render()
 * cannot be used to multiply the allowance.
 */
export class Budget {
  readonly deadline: number;
  /** Values returned by secret() in this render, masked out of every error message. */
  readonly secrets: string[] = [];
  private iterations = 0;
  private steps = 0;
  private depth = 0;

  constructor(readonly limits: ExpressionLimits) {
    this.deadline = Date.now() + limits.timeoutMs;
  }

  /** Called on every evaluated node: reading the clock only every 256 steps keeps this cheap. */
  step(): void {
    if ((++this.steps & 0xff) === 0) this.checkTime();
  }

  checkTime(): void {
    if (Date.now() > this.deadline) {
      throw new ExpressionError(`expression took longer than ${this.limits.timeoutMs} ms`);
    }
  }

  iterate(count = 1): void {
    this.iterations += count;
    if (this.iterations > this.limits.maxIterations) {
      throw new ExpressionError(`more than ${this.limits.maxIterations} loop iterations`);
    }
    this.step();
  }

  text(value: string): string {
    if (value.length > this.limits.maxOutputLength) throw this.tooLong();
    return value;
  }

  /** For operations that can tell the size of their result before building it. */
  reserveText(length: number): void {
    if (length > this.limits.maxOutputLength) throw this.tooLong();
  }

  list<T>(value: T[]): T[] {
    this.reserveList(value.length);
    return value;
  }

  reserveList(length: number): void {
    if (length > this.limits.maxIterations) {
      throw new ExpressionError(`list longer than ${this.limits.maxIterations} items`);
    }
  }

  enter(): void {
    if (++this.depth > this.limits.maxDepth) {
      this.depth--;
      throw depthError(this.limits);
    }
  }

  leave(): void {
    this.depth--;
  }

  tooLong(): ExpressionError {
    return new ExpressionError(`output longer than ${this.limits.maxOutputLength} characters`);
  }
}
