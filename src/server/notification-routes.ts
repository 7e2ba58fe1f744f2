// Notification settings (installation, connection, flow) and a test send. Settings are
// configuration: whoever may use this API administers the installation (docs/notifications.md).
import type { FastifyInstance } from 'fastify';
import type { ResourceDeps } from '../app/connections.js';
import {
  getNotificationSettings,
  putNotificationSettings,
  type Scope,
  tryNotification,
} from '../app/notification-settings.js';
import { NOTIFICATION_EVENTS, type NotificationItem } from '../notifications/settings.js';
import { errors, object, text } from './schemas/common.js';
import { answer } from './resources/answer.js';

const url = {
  type: 'string',
  maxLength: 2048,
  description: 'masked in answers; send the mask back to keep it',
};
const item = {
  type: 'object',
  additionalProperties: false,
  required: ['notificationType'],
  properties: {
    notificationType: { type: 'array', items: { type: 'string', enum: ['slack', 'webhook'] } },
    slackConfiguration: {
      type: 'object',
      additionalProperties: false,
      required: ['webhook'],
      properties: { webhook: { ...url, description: "a Slack incoming webhook: Slack's {text, blocks}" } },
    },
    webhookConfiguration: {
      type: 'object',
      additionalProperties: false,
      required: ['url'],
      properties: { url: { ...url, description: "a plain JSON webhook: Sluice's notification document" } },
    },
  },
};
const settings = {
  type: 'object',
  additionalProperties: false,
  properties: {
    notificationSettings: {
      type: 'object',
      additionalProperties: false,
      description: "one item per event (Airbyte's NotificationSettings names; sendOnFlow* are Sluice's)",
      properties: Object.fromEntries(NOTIFICATION_EVENTS.map((e) => [e, item])),
    },
    notifySchemaChanges: {
      type: 'boolean',
      description: 'a connection: notify its schema changes (default true)',
    },
  },
};
const one = { description: 'the settings, webhook URLs masked', ...settings };

export function registerNotificationRoutes(app: FastifyInstance, deps: ResourceDeps): void {
  const tags = ['Notifications'];
  const routes: {
    path: string;
    what: string;
    id: string;
    scope: (p: Record<string, string>) => Scope;
    params?: object;
  }[] = [
    {
      path: '/api/v1/notifications/settings',
      what: "the installation's",
      id: 'Installation',
      scope: () => ({ kind: 'installation' }),
    },
    {
      path: '/api/v1/connections/:id/notifications',
      what: "a connection's (over the installation's, event by event)",
      id: 'Connection',
      scope: (p) => ({ kind: 'connection', id: p.id }),
      params: object({ id: text('the connection id') }, ['id']),
    },
    {
      path: '/api/v1/flows/:namespace/:id/notifications',
      what: "a flow's: where its FAILED or WARNING executions are notified",
      id: 'Flow',
      scope: (p) => ({ kind: 'flow', namespace: p.namespace, id: p.id }),
      params: object({ namespace: text('the namespace'), id: text('the flow id') }, ['namespace', 'id']),
    },
  ];
  for (const r of routes) {
    app.get<{ Params: Record<string, string> }>(
      r.path,
      {
        schema: {
          operationId: `get${r.id}NotificationSettings`,
          tags,
          summary: `Notification settings: ${r.what}`,
          ...(r.params && { params: r.params }),
          response: { 200: one, ...errors(404) },
        },
      },
      (req) => answer(() => getNotificationSettings(deps, r.scope(req.params))),
    );
    app.put<{ Params: Record<string, string>; Body: unknown }>(
      r.path,
      {
        schema: {
          operationId: `put${r.id}NotificationSettings`,
          tags,
          summary: `Replace the notification settings: ${r.what}`,
          ...(r.params && { params: r.params }),
          body: settings,
          response: { 200: one, ...errors(400, 404, 422) },
        },
      },
      (req) => answer(() => putNotificationSettings(deps, r.scope(req.params), req.body)),
    );
  }
  app.post<{ Body: NotificationItem }>(
    '/api/v1/notifications/try',
    {
      schema: {
        operationId: 'tryNotification',
        tags,
        summary: 'Send a test notification to a channel (a masked URL means the stored one)',
        body: item,
        response: {
          200: {
            description: 'whether it was delivered',
            ...object(
              { status: { type: 'string', enum: ['succeeded', 'failed'] }, message: { type: 'string' } },
              ['status', 'message'],
            ),
          },
          ...errors(400, 422),
        },
      },
    },
    (req) => answer(() => tryNotification(deps, req.body)),
  );
}
