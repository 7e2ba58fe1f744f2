import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type MockApi, mockApi } from '../connectors/declarative/mock-api.js';
import { testDialects } from '../../support/databases.js';
import { startTestServer, type TestServer } from '../../support/server.js';

// A declarative manifest registered as a connector definition: listed, its spec the manifest's own
// (the UI's form), and sources made from it checked and discovered by the in-process runtime.

const MANIFEST = `
version: 6.44.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [widgets] }
streams:
  - type: DeclarativeStream
    name: widgets
    primary_key: [id]
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: "{{ config.base_url }}"
        path: /widgets
        authenticator: { type: BearerAuthenticator, api_token: "{{ config.api_key }}" }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
    schema_loader: { type: InlineSchemaLoader, schema: { type: object, properties: { id: { type: integer } } } }
spec:
  type: Spec
  connection_specification:
    type: object
    required: [base_url, api_key]
    properties:
      base_url: { type: string, title: API URL }
      api_key: { type: string, airbyte_secret: true }
`;
const KEY = 'widget-key-never-shown';

describe.each(testDialects())('a declarative manifest as a connector definition on $name', (dialect) => {
  let server: TestServer;
  let api: MockApi;

  async function call(method: string, url: string, payload?: unknown) {
    const res = await (server.app as FastifyInstance).inject({
      method: method as 'GET',
      url,
      payload: payload as object,
    });
    expect(res.body).not.toContain(KEY);
    return {
      status: res.statusCode,
      body: (res.body ? JSON.parse(res.body) : {}) as Record<string, unknown>,
    };
  }

  beforeAll(async () => {
    server = await startTestServer(dialect);
    api = await mockApi((req) =>
      req.headers.authorization === `Bearer ${KEY}`
        ? { json: { data: [{ id: 1 }, { id: 2 }] } }
        : { status: 401, json: {} },
    );
  });
  afterAll(async () => {
    await api.close();
    await server.stop();
  });

  test('registers, lists and serves the manifest spec as the definition spec', async () => {
    const created = await call('POST', '/api/v1/connector_definitions', {
      name: 'widgets',
      kind: 'source',
      manifest: MANIFEST,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ definitionId: 'source-widgets', declarativeManifest: true });
    const list = await call('GET', '/api/v1/connector_definitions');
    expect(list.body.data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ definitionId: 'source-widgets', declarativeManifest: true }),
      ]),
    );
    const spec = await call('GET', '/api/v1/connector_definitions/source-widgets/spec');
    expect(spec.body.connectionSpecification).toMatchObject({ required: ['base_url', 'api_key'] });
  });

  test('refuses a manifest with a component the runtime cannot run, naming it', async () => {
    const bad = MANIFEST.replace(
      'type: BearerAuthenticator, api_token: "{{ config.api_key }}"',
      'type: CustomAuthenticator, class_name: a.B',
    );
    const { status, body } = await call('POST', '/api/v1/connector_definitions', {
      name: 'bad',
      kind: 'source',
      manifest: bad,
    });
    expect(status).toBe(400);
    expect(String(body.message)).toContain('CustomAuthenticator is not supported');
  });

  test('a source made from it is checked and discovered with the manifest', async () => {
    const source = await call('POST', '/api/v1/sources', {
      name: 'my widgets',
      configuration: { sourceType: 'widgets', base_url: api.base, api_key: KEY },
    });
    expect(source.status).toBe(200);
    const id = String(source.body.sourceId);
    const check = await call('POST', `/api/v1/sources/${id}/check`);
    expect(check.body).toMatchObject({ status: 'succeeded' });
    const discovered = await call('POST', `/api/v1/sources/${id}/discover`);
    const catalog = discovered.body.catalog as { streams: { name: string }[] };
    expect(catalog.streams.map((s) => s.name)).toEqual(['widgets']);
  });
});
