import { convertFilters } from './filters-convert.js';
import { dataFilters } from './filters-data.js';
import { listFilters } from './filters-list.js';
import { stringFilters } from './filters-string.js';
import type { FilterDef } from './registry.js';

/** A Map, not an object: a filter named `constructor` must not find Object.prototype's. */
export const FILTERS: ReadonlyMap<string, FilterDef> = new Map([
  ...stringFilters,
  ...listFilters,
  ...convertFilters,
  ...dataFilters,
]);
