import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { getExecution, waitForExecutionEnd } from '../../../src/app/executions.js';
import { createSchedulerBackend } from '../../../src/db/scheduler-store.js';
import type { Execution } from '../../../src/engine/execution.js';
import { Scheduler } from '../../../src/engine/scheduler.js';
import { buildServer } from '../../../src/server/app.js';
import { version } from '../../../src/version.js';
import { testDialects } from '../../support/databases.js';
import { startTestEngine, TEST_CIPHER, type TestEngine } from '../../support/engine.js';

// The OpenAPI document the route schemas generate: valid OpenAPI 3.1, and true. The walk calls every
// documented operation on a real server over real data (a deployed flow with a schedule and a webhook
// trigger, a finished execution with an uploaded file) and checks each answer against the document.

const NS = 'tests.openapi';
const FLOW = 'walked';
const KEY = 'walk-key-1-of-the-hook';

const WALKED = `id: ${FLOW}
namespace: ${NS}
inputs:
  - id: name
    type: STRING
    defaults: world
  - id: data
    type: FILE
    required: false
tasks:
  - id: greet
    type: return
    format: "Hello, {{ inputs.name }}"
  - id: say
    type: log
    message: "{{ outputs.greet.value }}"
triggers:
  - id: nightly
    type: schedule
    cron: "0 3 * * *"
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: ${KEY}
`;

type Operation = {
  operationId?: string;
  tags?: string[];
  summary?: string;
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  requestBody?: { required?: boolean; content: Record<string, unknown> };
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
};
type Document = {
  openapi: string;
  info: { title: string; version: string };
  tags?: Array<{ name: string }>;
  components: { securitySchemes: Record<string, unknown> };
  paths: Record<string, Record<string, Operation>>;
};

const FIXTURES = fileURLToPath(new URL('../../fixtures/connectors/', import.meta.url));
const FIXTURE_CONNECTORS = [
  ['fixture', 'source', 'source.mjs'],
  ['jsonl', 'destination', 'destination.mjs'],
] as const;
const SOURCE = {
  name: 'walked source',
  configuration: { sourceType: 'fixture', streams: [{ name: 'users', count: 3 }] },
};
const DESTINATION = {
  name: 'walked destination',
  // a file of its own: the fixture also writes <path>.status, which /dev/null.status is not, and a
  // failed sync is now tried again with Airbyte's backoff
  configuration: {
    destinationType: 'jsonl',
    path: path.join(tmpdir(), `sluice-openapi-walk-${process.pid}.jsonl`),
    password: 'not-shown',
  },
};

const ORDER = ['get', 'put', 'patch', 'post', 'delete'];

/** Every operation in an order that keeps the data alive: reads first, the deletion last. */
function operations(doc: Document) {
  return Object.entries(doc.paths)
    .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })))
    .sort((a, b) => ORDER.indexOf(a.method) - ORDER.indexOf(b.method) || a.path.localeCompare(b.path));
}

/** An error answer's body. */
const errorOf = async (response: Response) =>
  (await response.json()) as { message: string; details: unknown[] };

describe.each(testDialects())('the OpenAPI document on $name', (dialect) => {
  let engine: TestEngine;
  let app: FastifyInstance;
  let base: string;
  let doc: Document;
  let finished: Execution;
  let fileUri: string;
  /** a source, destination, connection and finished job, for the Airbyte-shaped routes */
  const resources: Record<string, string> = {};
  /** what the last route handed to the serialiser, before its response schema shaped it */
  let handed: unknown;

  beforeAll(async () => {
    engine = await startTestEngine(dialect);
    app = buildServer({ db: engine.db, cipher: TEST_CIPHER, storage: engine.storage });
    app.addHook('preSerialization', async (_req, _reply, payload) => {
      handed = JSON.parse(JSON.stringify(payload));
      return payload;
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    await engine.deploy(WALKED);
    await new Scheduler(createSchedulerBackend(engine.db)).tick();
    const form = new FormData();
    form.append('name', 'walk');
    form.append('data', new Blob(['{"a":1}\n{"a":2}\n']), 'rows.jsonl');
    const created = await fetch(`${base}/api/v1/executions/${NS}/${FLOW}?wait=true`, {
      method: 'POST',
      body: form,
    });
    finished = (await created.json()) as Execution;
    fileUri = finished.inputs.data as string;
    doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as Document;
    const post = async (url: string, body: unknown) =>
      (await (
        await fetch(`${base}${url}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json()) as Record<string, string>;
    for (const [name, kind, file] of FIXTURE_CONNECTORS) {
      await post('/api/v1/connector_definitions', {
        name,
        kind,
        command: [process.execPath, FIXTURES + file],
      });
    }
    resources.source = (await post('/api/v1/sources', SOURCE)).sourceId;
    resources.destination = (await post('/api/v1/destinations', DESTINATION)).destinationId;
    resources.connection = (
      await post('/api/v1/connections', { sourceId: resources.source, destinationId: resources.destination })
    ).connectionId;
    resources.job = (
      await post('/api/v1/jobs', { connectionId: resources.connection, jobType: 'sync' })
    ).jobId;
    await waitForExecutionEnd(engine.db, resources.job, 100);
  });

  afterAll(async () => {
    await app?.close();
    await engine?.stop();
  });

  test('validates as OpenAPI 3.1', async () => {
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
    expect(doc.openapi).toBe('3.1.0');
  });

  test('names Sluice and its version, and declares basic and bearer authentication', () => {
    expect(doc.info).toMatchObject({ title: 'Sluice', version });
    expect(doc.components.securitySchemes).toEqual({
      basicAuth: { type: 'http', scheme: 'basic' },
      bearerAuth: { type: 'http', scheme: 'bearer' },
    });
  });

  test("documents DESIGN.md's routes", () => {
    const documented = operations(doc).map(({ method, path }) => `${method.toUpperCase()} ${path}`);
    expect(documented).toEqual(
      expect.arrayContaining([
        'POST /api/v1/flows',
        'POST /api/v1/flows/validate',
        'POST /api/v1/executions/{namespace}/{flowId}',
        'GET /api/v1/executions/search',
        'GET /api/v1/executions/{id}',
        'DELETE /api/v1/executions/{id}/kill',
        'POST /api/v1/executions/{id}/restart',
        'POST /api/v1/executions/{id}/replay',
        'GET /api/v1/executions/{id}/follow',
        'GET /api/v1/executions/{id}/file',
        'GET /api/v1/executions/{id}/file/preview',
        'GET /api/v1/logs/search',
        'GET /api/v1/logs/{executionId}/follow',
        'GET /api/v1/logs/{executionId}/download',
        'GET /api/v1/triggers/search',
        'POST /api/v1/executions/webhook/{namespace}/{flowId}/{key}',
        'GET /health',
        'GET /metrics',
      ]),
    );
  });

  test('an execution is created from an optional body: JSON inputs or a multipart form', () => {
    const body = doc.paths['/api/v1/executions/{namespace}/{flowId}'].post.requestBody;
    expect([body?.required, Object.keys(body?.content ?? {})]).toEqual([
      false,
      ['application/json', 'multipart/form-data'],
    ]);
  });

  test('every operation has a unique operationId, a known tag and a summary', () => {
    const known = new Set(doc.tags?.map((t) => t.name));
    const faults = operations(doc).flatMap(({ method, path, op }) => {
      const where = `${method.toUpperCase()} ${path}`;
      return [
        ...(op.operationId ? [] : [`${where}: no operationId`]),
        ...(op.tags?.length && op.tags.every((t) => known.has(t)) ? [] : [`${where}: no known tag`]),
        ...(op.summary ? [] : [`${where}: no summary`]),
      ];
    });
    const ids = operations(doc).map(({ op }) => op.operationId);
    expect([faults, new Set(ids).size]).toEqual([[], ids.length]);
  });

  test('GET /api/v1/executions/{id} returns every field of the stored execution document', async () => {
    const response = await fetch(`${base}/api/v1/executions/webhook/${NS}/${FLOW}/${KEY}`, {
      method: 'POST',
    });
    const { id } = (await response.json()) as Execution;
    await waitForExecutionEnd(engine.db, id, 100);
    const served = await (await fetch(`${base}/api/v1/executions/${id}`)).json();
    const stored = await getExecution(engine.db, id);
    expect(stored?.trigger?.id).toBe('hook');
    expect(served).toEqual(stored);
  });

  test('an invalid body answers 400 naming each field at fault', async () => {
    const response = await fetch(`${base}/api/v1/flows/disable/by-ids`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ namespace: NS }, { namespace: NS, id: FLOW, extra: 1 }]),
    });
    expect([response.status, await response.json()]).toEqual([
      400,
      {
        message: 'invalid request: body[0].id is required; body[1].extra is not a known field',
        details: [
          { path: 'body[0].id', message: 'is required' },
          { path: 'body[1].extra', message: 'is not a known field' },
        ],
      },
    ]);
  });

  test('an invalid query parameter answers 400 naming it', async () => {
    const response = await fetch(`${base}/api/v1/executions/search?state=DONE&size=0`);
    expect([response.status, (await errorOf(response)).details]).toEqual([
      400,
      [
        { path: 'query.state[0]', message: expect.stringMatching(/^must be one of CREATED, /) },
        { path: 'query.size', message: 'must be >= 1' },
      ],
    ]);
  });
  // last: the walk disables, re-enables and finally deletes the flow
  // A serialiser shapes its output to the schema (dropping undeclared fields, coercing types), so the
  // answer alone would fit even a wrong schema: what the handler produced must fit too, and come out whole.
  test('every documented route answers with a documented status and a body that fits its schema', async () => {
    const api = (await SwaggerParser.dereference(structuredClone(doc) as never)) as unknown as Document;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addFormat('binary', true);
    const yaml = { type: 'application/x-yaml', body: WALKED };
    const json = (value: unknown) => ({ type: 'application/json', body: JSON.stringify(value) });
    const bodies: Record<string, { type: string; body: string }> = {
      createFlow: yaml,
      updateFlow: yaml,
      validateFlow: yaml,
      enableFlowsByIds: json([{ namespace: NS, id: FLOW }]),
      disableFlowsByIds: json([{ namespace: NS, id: FLOW }]),
      backfillTrigger: json({ start: new Date(Date.now() - 86_400_000).toISOString() }),
      createExecution: json({ name: 'walk' }),
      resumeExecution: json({}),
      webhookPost: json({}),
      webhookPut: json({}),
      registerConnectorDefinition: json({ name: 'walked', kind: 'source', command: ['true'] }),
      createSource: json(SOURCE),
      updateSource: json({ name: 'renamed' }),
      replaceSource: json(SOURCE),
      createDestination: json(DESTINATION),
      updateDestination: json({ name: 'renamed' }),
      replaceDestination: json(DESTINATION),
      createConnection: json({ sourceId: resources.source, destinationId: resources.destination }),
      updateConnection: json({ schedule: { scheduleType: 'manual' } }),
      resetConnectionState: json({}),
      createJob: json({ connectionId: resources.connection, jobType: 'sync' }),
      // a connection that does not exist: a job of the walk's own would hold up its createJob
      refreshConnectionStream: json({ connectionId: 'walked', refreshMode: 'merge' }),
      clearConnectionStream: json({ connectionId: 'walked', streams: [{ streamName: 'users' }] }),
      resetConnectionStream: json({ connectionId: 'walked', streams: [{ streamName: 'users' }] }),
      discoverSchemaForConnection: json({ connectionId: resources.connection }),
      setKeyValue: json('walked'),
      deleteKeyValues: json({ keys: [KEY] }),
      restartExecutionsByIds: json([finished.id]),
      killExecutionsByIds: json([finished.id]),
      deleteExecutionsByIds: json(['no-such-execution']),
      setLabelsByIds: json({
        executionsId: [finished.id],
        executionLabels: [{ key: 'walked', value: 'yes' }],
      }),
      putNamespaceSecret: json({ key: KEY, value: 'walked' }),
      listConnectionEvents: json({ connectionId: resources.connection }),
      getConnectionEvent: json({ connectionEventId: 'no-such-event' }),
      putInstallationNotificationSettings: json({ notificationSettings: {} }),
      putConnectionNotificationSettings: json({ notifySchemaChanges: true }),
      putFlowNotificationSettings: json({ notificationSettings: {} }),
      // nothing listens on port 1: the answer says the test message failed
      tryNotification: json({
        notificationType: ['webhook'],
        webhookConfiguration: { url: 'http://127.0.0.1:1/walk' },
      }),
    };
    // the routes after a delete still need the finished execution
    const idOf: Record<string, string> = { deleteExecution: 'no-such-execution' };
    /** the id an operation's `{id}` stands for, by the resource its path names */
    const resourceId = (path: string) =>
      ({
        sources: resources.source,
        destinations: resources.destination,
        connections: resources.connection,
        jobs: resources.job,
      })[path.split('/')[3]];
    // the finished execution can be neither killed, resumed nor restarted
    const expected: Record<string, number> = {
      // the walk's flow exists: creating it again is refused, as in Kestra
      createFlow: 409,
      // read before the walk puts it
      getKeyValue: 404,
      // no namespace file exists during the walk; an upload is multipart, which the walk does not send
      getFileContent: 404,
      moveFileDirectory: 404,
      createNamespaceFile: 415,
      killExecution: 409,
      resumeExecution: 409,
      restartExecution: 409,
      restartExecutionsByIds: 409,
      killExecutionsByIds: 409,
      deleteExecutionsByIds: 409,
      deleteExecution: 404,
      // the job has ended
      cancelJob: 409,
      refreshConnectionStream: 404,
      clearConnectionStream: 404,
      resetConnectionStream: 404,
      getConnectionEvent: 404,
      // the connection the walk itself created still uses them
      deleteSource: 409,
      deleteDestination: 409,
    };
    const pathValues: Record<string, string> = {
      namespace: NS,
      flowId: FLOW,
      key: KEY,
      triggerId: 'nightly',
      executionId: finished.id,
      name: 'walked',
      // a registered definition: its spec runs the fixture, no build of the CLI needed
      definitionId: 'source-fixture',
    };
    // `path` names the execution's file: as a namespace file path it is one that does not exist
    const queryValues: Record<string, string> = { path: fileUri, q: 'sql', from: '/a.sql', to: '/b.sql' };

    const faults: string[] = [];
    for (const { path, method, op } of operations(api)) {
      const where = `${method.toUpperCase()} ${path}`;
      const url = path.replace(/\{(\w+)\}/g, (_, name: string) => {
        const value =
          name === 'id'
            ? path.startsWith('/api/v1/flows')
              ? FLOW
              : (resourceId(path) ?? idOf[op.operationId ?? ''] ?? finished.id)
            : pathValues[name];
        if (value === undefined) throw new Error(`${where}: no value for the path parameter ${name}`);
        return encodeURIComponent(value);
      });
      const query = new URLSearchParams();
      for (const p of op.parameters ?? []) {
        if (p.in !== 'query' || !p.required) continue;
        if (queryValues[p.name] === undefined) throw new Error(`${where}: no value for ?${p.name}`);
        query.set(p.name, queryValues[p.name]);
      }
      const sample = op.operationId ? bodies[op.operationId] : undefined;
      if (op.requestBody?.required && !sample) throw new Error(`${where}: no sample body`);
      handed = undefined;
      const response = await fetch(`${base}${url}${query.size > 0 ? `?${query}` : ''}`, {
        method: method.toUpperCase(),
        ...(sample && { body: sample.body, headers: { 'content-type': sample.type } }),
      });
      const text = await response.text();
      const declared = op.responses[String(response.status)];
      const wanted =
        expected[op.operationId ?? ''] ?? Number(Object.keys(op.responses).find((s) => s.startsWith('2')));
      if (response.status !== wanted)
        faults.push(`${where}: ${response.status} (expected ${wanted}) ${text}`);
      if (!declared) continue;
      const type = (response.headers.get('content-type') ?? '').split(';')[0];
      if (!declared.content) {
        if (text !== '' && response.status === 204) faults.push(`${where}: a body where none is declared`);
        continue;
      }
      const media = declared.content[type];
      if (!media) {
        faults.push(`${where}: ${type} is not a declared content type of ${response.status}`);
        continue;
      }
      const validate = ajv.compile(media.schema);
      const body = type === 'application/json' ? JSON.parse(text) : text;
      if (!validate(body)) faults.push(`${where}: ${ajv.errorsText(validate.errors)}`);
      if (handed === undefined) continue;
      if (!validate(handed))
        faults.push(`${where}: the handler's answer: ${ajv.errorsText(validate.errors)}`);
      if (!isDeepStrictEqual(body, handed)) faults.push(`${where}: serialising changed the answer`);
    }
    expect(faults).toEqual([]);
  });
});
