// A connection's timeline: Airbyte's connection events API (POST bodies, as Airbyte's config API).
import type { FastifyInstance } from 'fastify';
import type { ResourceDeps } from '../../app/connections.js';
import {
  type EventListInput,
  getConnectionEventView,
  listConnectionEventViews,
} from '../../app/connection-timeline.js';
import { CONNECTION_EVENT_TYPES } from '../../connections/timeline.js';
import { errors, object, text } from '../schemas/common.js';
import { answer } from './answer.js';

const event = {
  type: 'object',
  additionalProperties: true,
  required: ['id', 'connectionId', 'eventType', 'createdAt', 'summary'],
  properties: {
    id: { type: 'string' },
    connectionId: { type: 'string' },
    eventType: { type: 'string', enum: [...CONNECTION_EVENT_TYPES] },
    createdAt: { type: 'string', description: 'ISO-8601' },
    summary: {
      type: 'object',
      additionalProperties: true,
      description:
        'a job: jobId, jobType, recordsLoaded, bytesLoaded, attemptsCount, failureReason; a settings update: patches {field: {from, to}}',
    },
  },
};

export function registerTimelineRoutes(app: FastifyInstance, deps: ResourceDeps): void {
  const tags = ['Connections'];
  app.post<{ Body: EventListInput }>(
    '/api/v1/connections/events/list',
    {
      schema: {
        operationId: 'listConnectionEvents',
        tags,
        summary: "A connection's timeline, newest first",
        body: {
          ...object(
            {
              connectionId: { type: 'string' },
              eventTypes: { type: 'array', items: { type: 'string', enum: [...CONNECTION_EVENT_TYPES] } },
              createdAtStart: { type: 'string', format: 'date-time' },
              createdAtEnd: { type: 'string', format: 'date-time' },
              pagination: {
                ...object({
                  pageSize: { type: 'integer', minimum: 1, maximum: 200 },
                  rowOffset: { type: 'integer', minimum: 0 },
                }),
                additionalProperties: false,
              },
            },
            ['connectionId'],
          ),
          additionalProperties: false,
        },
        response: {
          200: {
            description: 'the events',
            ...object({ events: { type: 'array', items: event } }, ['events']),
          },
          ...errors(400, 404, 422),
        },
      },
    },
    (req) => answer(() => listConnectionEventViews(deps, req.body)),
  );
  app.post<{ Body: { connectionEventId: string } }>(
    '/api/v1/connections/events/get',
    {
      schema: {
        operationId: 'getConnectionEvent',
        tags,
        summary: 'One event of a connection’s timeline',
        body: {
          ...object({ connectionEventId: text('the event id') }, ['connectionEventId']),
          additionalProperties: false,
        },
        response: { 200: { description: 'the event', ...event }, ...errors(400, 404) },
      },
    },
    (req) => answer(() => getConnectionEventView(deps, req.body.connectionEventId)),
  );
}
