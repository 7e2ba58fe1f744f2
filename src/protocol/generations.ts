import type { ConfiguredAirbyteStream } from './messages.js';

/** Airbyte's destinations' rule for generations: a stream whose minimum_generation_id is its own
 * generation_id (above 0) keeps only this generation's rows once it ends, whatever its sync mode (a
 * truncating refresh, a clear); a minimum of 0 keeps every generation's. */
export function truncates(configured: ConfiguredAirbyteStream): boolean {
  const { generation_id: generation, minimum_generation_id: minimum } = configured;
  return typeof minimum === 'number' && minimum > 0 && minimum === generation;
}
