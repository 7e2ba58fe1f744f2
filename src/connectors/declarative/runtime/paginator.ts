// DefaultPaginator with its strategies (CursorPagination, PageIncrement, OffsetIncrement) and
// NoPagination: the token of the next page, and where it goes in the request.
import { interpolateBoolean, interpolateString } from '../interpolation/interpolate.js';
import { type Component, ComponentError, type Ctx, ctxFor } from './component.js';
import type { HttpResult } from './errors.js';
import { type RequestParts, emptyParts, inject } from './request-options.js';

export interface PageState {
  /** the token of the page to ask for; undefined on the first request unless it is injected there */
  token: unknown;
}

export interface Paginator {
  /** The token of the first request (undefined: none is injected). */
  initial(): unknown;
  /** The next page's token after a response, or undefined when that was the last page. */
  next(result: HttpResult, records: Record<string, unknown>[], token: unknown): unknown;
  /** What the paginator puts in a request for this token. */
  parts(token: unknown): RequestParts;
}

export function paginator(def: Component | undefined, config: Record<string, unknown>): Paginator {
  if (!def || def.type === 'NoPagination')
    return { initial: () => undefined, next: () => undefined, parts: () => emptyParts() };
  if (def.type !== 'DefaultPaginator') throw new ComponentError(def, `${def.type} is not supported`);
  const ctx = ctxFor(config, def);
  const strategyDef = def.pagination_strategy as Component;
  const strategy = strategyFor(strategyDef, ctxFor(config, strategyDef));
  return {
    initial: () => strategy.initial(),
    next: (result, records, token) => strategy.next(result, records, token),
    parts(token) {
      const parts = emptyParts();
      const size = strategy.pageSize();
      if (size !== undefined) inject(def.page_size_option as Component | undefined, size, ctx, parts);
      if (token !== undefined && token !== null)
        inject(def.page_token_option as Component | undefined, token, ctx, parts);
      return parts;
    },
  };
}

interface Strategy {
  initial(): unknown;
  next(result: HttpResult, records: Record<string, unknown>[], token: unknown): unknown;
  pageSize(): number | undefined;
}

function strategyFor(def: Component, ctx: Ctx): Strategy {
  const size = () => {
    if (def.page_size === undefined || def.page_size === null) return undefined;
    const v =
      typeof def.page_size === 'string' ? interpolateString(def.page_size, ctx.vars()) : def.page_size;
    const n = Number(v);
    if (!Number.isInteger(n))
      throw new ComponentError(def, `page_size: expected an integer, got ${JSON.stringify(v)}`);
    return n;
  };
  switch (def.type) {
    case 'PageIncrement': {
      const start = Number(def.start_from_page ?? 0);
      return {
        initial: () => (def.inject_on_first_request ? start : undefined),
        next(_result, records, token) {
          const pageSize = size();
          if (pageSize !== undefined && records.length < pageSize) return undefined;
          if (pageSize === undefined && records.length === 0) return undefined;
          return (token === undefined ? start : Number(token)) + 1;
        },
        pageSize: size,
      };
    }
    case 'OffsetIncrement':
      return {
        initial: () => (def.inject_on_first_request ? 0 : undefined),
        next(_result, records, token) {
          const pageSize = size();
          if (pageSize !== undefined ? records.length < pageSize : records.length === 0) return undefined;
          return (token === undefined ? 0 : Number(token)) + records.length;
        },
        pageSize: size,
      };
    case 'CursorPagination':
      return {
        initial: () => undefined,
        next(result, records) {
          const vars = ctx.vars({
            response: result.body,
            headers: result.headers,
            last_record: records.length ? records[records.length - 1] : null,
            last_page_size: records.length,
          });
          if (
            def.stop_condition !== undefined &&
            interpolateBoolean(def.stop_condition as string | boolean, vars)
          )
            return undefined;
          const value = interpolateString(String(def.cursor_value), vars);
          return value === null || value === undefined || value === '' ? undefined : value;
        },
        pageSize: size,
      };
    default:
      throw new ComponentError(def, `${def.type} is not supported`);
  }
}
