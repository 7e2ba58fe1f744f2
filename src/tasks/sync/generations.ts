// Airbyte's generations (AttemptHandler, GenerationBumper, CatalogGenerationSetter): which streams an
// attempt starts a new generation of, and the generation fields of the catalog the destination gets.
// A destination keeps no row of a generation older than the stream's minimum_generation_id.
import type { ConfiguredAirbyteStream, StreamDescriptor } from '../../protocol/messages.js';
import { streamKey } from '../../protocol/state.js';

/** Airbyte's job types: a sync; a refresh (read some streams again from the start); a clear, or a
 * reset as older Airbyte called it (empty some streams in the destination and forget their state). */
export const JOB_TYPES = ['sync', 'reset', 'clear', 'refresh'] as const;
export type JobType = (typeof JOB_TYPES)[number];

/** Airbyte's RefreshStream.RefreshType: truncate drops what the destination had of the stream once
 * the refresh ends; merge ("refresh and retain") keeps it. */
export const REFRESH_TYPES = ['truncate', 'merge'] as const;
export type RefreshType = (typeof REFRESH_TYPES)[number];

/** What a job does: its type and, for a refresh or a clear, the streams it concerns (all when none). */
export interface JobScope {
  jobType: JobType;
  streams?: StreamDescriptor[];
  refreshType?: RefreshType;
}

export function isClear(jobType: JobType): boolean {
  return jobType === 'clear' || jobType === 'reset';
}

/** Whether the job names the stream: a refresh or clear of no stream in particular is of all. */
export function inScope(scope: JobScope, stream: StreamDescriptor): boolean {
  if (scope.streams === undefined || scope.streams.length === 0) return true;
  const key = streamKey(descriptorOf(stream));
  return scope.streams.some((s) => streamKey(descriptorOf(s)) === key);
}

/**
 * The streams whose generation this attempt starts, and whose state it forgets. A job's first
 * attempt: every full-refresh stream, plus the streams a refresh or clear names. A later attempt of
 * the same job (`resuming`): only the full-refresh streams whose source cannot resume them.
 */
export function streamsToBump(
  streams: readonly ConfiguredAirbyteStream[],
  scope: JobScope,
  resuming: boolean,
): ConfiguredAirbyteStream[] {
  return streams.filter((s) => {
    if (s.sync_mode === 'full_refresh') return !(resuming && s.stream.is_resumable === true);
    return !resuming && scope.jobType !== 'sync' && inScope(scope, s.stream);
  });
}

/**
 * Sets each destination stream's sync_id, generation_id and minimum_generation_id. The minimum is the
 * generation itself (only this generation's rows stay) for an overwrite, a truncate refresh and a
 * clear, and 0 (every generation's rows stay) for the rest, "refresh and retain" included.
 */
export function setGenerations(
  sourceStreams: readonly ConfiguredAirbyteStream[],
  destinationStreams: ConfiguredAirbyteStream[],
  generations: Map<string, number>,
  syncId: number,
  scope: JobScope,
): void {
  sourceStreams.forEach((source, i) => {
    const destination = destinationStreams[i];
    const generation = generations.get(streamKey(descriptorOf(source.stream))) ?? 0;
    const truncates =
      isClear(scope.jobType) ||
      (source.sync_mode === 'full_refresh' && destination.destination_sync_mode === 'overwrite') ||
      (scope.jobType === 'refresh' &&
        (scope.refreshType ?? 'truncate') === 'truncate' &&
        inScope(scope, source.stream));
    destination.sync_id = syncId;
    destination.generation_id = generation;
    destination.minimum_generation_id = truncates ? generation : 0;
  });
}

export function descriptorOf(stream: { name: string; namespace?: string | null }): StreamDescriptor {
  return stream.namespace == null
    ? { name: stream.name }
    : { name: stream.name, namespace: stream.namespace };
}
