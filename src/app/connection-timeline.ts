// A connection's timeline through the API, in Airbyte's connection events shape.
import { CONNECTION_EVENT_TYPES } from '../connections/timeline.js';
import { getConnectionEvent, listConnectionEvents } from '../db/connection-event-repository.js';
import { getConnection } from '../db/connection-repository.js';
import { ResourceError, type ResourceDeps } from './connections.js';

export interface EventListInput {
  connectionId: string;
  eventTypes?: string[];
  createdAtStart?: string;
  createdAtEnd?: string;
  pagination?: { pageSize?: number; rowOffset?: number };
}

export async function listConnectionEventViews(deps: ResourceDeps, input: EventListInput) {
  if (!(await getConnection(deps.db, input.connectionId)))
    throw new ResourceError(404, `no connection ${input.connectionId}`);
  const unknown = (input.eventTypes ?? []).filter(
    (t) => !(CONNECTION_EVENT_TYPES as readonly string[]).includes(t),
  );
  if (unknown.length > 0) throw new ResourceError(422, `unknown event types: ${unknown.join(', ')}`);
  const events = await listConnectionEvents(deps.db, {
    connectionId: input.connectionId,
    eventTypes: input.eventTypes,
    createdAtStart: input.createdAtStart,
    createdAtEnd: input.createdAtEnd,
    limit: input.pagination?.pageSize ?? 50,
    offset: input.pagination?.rowOffset ?? 0,
  });
  return { events: events.map(({ jobId: _jobId, ...e }) => e) };
}

export async function getConnectionEventView(deps: ResourceDeps, id: string) {
  const event = await getConnectionEvent(deps.db, id);
  if (!event) throw new ResourceError(404, `no connection event ${id}`);
  const { jobId: _jobId, ...view } = event;
  return view;
}
