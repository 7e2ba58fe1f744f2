import { afterEach, describe, expect, it } from 'vitest';
import { type MockApi, mockApi } from './mock-api.js';
import { read } from './read.js';

let api: MockApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** Two streams `a` and `b` on /a and /b, both authenticated by the given authenticator (YAML, indented 4). */
function manifest(auth: string): string {
  return `
version: 6.44.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [a] }
definitions:
  requester:
    type: HttpRequester
    url_base: "{{ config['base_url'] }}"
    authenticator:
${auth}
  retriever:
    type: SimpleRetriever
    record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
streams:
  - type: DeclarativeStream
    name: a
    retriever: { $ref: "#/definitions/retriever", requester: { $ref: "#/definitions/requester", path: /a } }
  - type: DeclarativeStream
    name: b
    retriever: { $ref: "#/definitions/retriever", requester: { $ref: "#/definitions/requester", path: /b } }
spec: { type: Spec, connection_specification: { type: object, properties: { base_url: { type: string } } } }
`;
}

const BOTH = [{ name: 'a' }, { name: 'b' }];
const data = { json: { data: [{ id: 1 }] } };

describe('declarative authenticators against a loopback API', () => {
  it('OAuthAuthenticator fetches one token with the refresh-token grant and sends it as Bearer', async () => {
    api = await mockApi((req) =>
      req.path === '/token' ? { json: { access_token: 'acc-1', expires_in: 3600 } } : data,
    );
    const m = manifest(`      type: OAuthAuthenticator
      token_refresh_endpoint: "{{ config.base_url }}/token"
      client_id: "{{ config.client_id }}"
      client_secret: "{{ config.client_secret }}"
      refresh_token: "{{ config.refresh_token }}"
      scopes: [read, write]
      refresh_request_body: { audience: api }`);
    const config = { base_url: api.base, client_id: 'cid', client_secret: 'cs', refresh_token: 'rt' };
    const { code, out } = await read(m, config, BOTH);
    expect(code).toBe(0);
    expect(out.records()).toHaveLength(2);
    const token = api.seen.filter((s) => s.path === '/token');
    expect(token).toHaveLength(1);
    expect(token[0]!.method).toBe('POST');
    expect(token[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(token[0]!.body).toBe(
      'grant_type=refresh_token&client_id=cid&client_secret=cs&refresh_token=rt&scopes=read&scopes=write&audience=api',
    );
    for (const s of api.seen.filter((x) => x.path !== '/token'))
      expect(s.headers.authorization).toBe('Bearer acc-1');
  });

  it('OAuthAuthenticator with the client-credentials grant sends no refresh token', async () => {
    api = await mockApi((req) => (req.path === '/token' ? { json: { access_token: 'cc' } } : data));
    const m = manifest(`      type: OAuthAuthenticator
      token_refresh_endpoint: "{{ config.base_url }}/token"
      grant_type: client_credentials
      client_id: cid
      client_secret: cs`);
    const { code } = await read(m, { base_url: api.base }, [{ name: 'a' }]);
    expect(code).toBe(0);
    expect(api.seen[0]!.body).toBe('grant_type=client_credentials&client_id=cid&client_secret=cs');
    expect(api.seen[1]!.headers.authorization).toBe('Bearer cc');
  });

  it('OAuthAuthenticator with refresh_token_updater writes the rotated tokens back and emits the config', async () => {
    api = await mockApi((req) =>
      req.path === '/token'
        ? { json: { data: { access_token: 'acc-2', refresh_token: 'rt-2', expires_in: 7200 } } }
        : data,
    );
    const m = manifest(`      type: OAuthAuthenticator
      token_refresh_endpoint: "{{ config.base_url }}/token"
      client_id: "{{ config.credentials.client_id }}"
      client_secret: "{{ config.credentials.client_secret }}"
      refresh_token: "{{ config.credentials.refresh_token }}"
      refresh_token_updater: {}`);
    const config = {
      base_url: api.base,
      credentials: { client_id: 'cid', client_secret: 'cs', refresh_token: 'rt-1', token_expiry_date: '' },
    };
    const before = Date.now();
    const { code, out } = await read(m, config, BOTH);
    expect(code).toBe(0);
    expect(api.seen.filter((s) => s.path === '/token').map((s) => s.body)).toEqual([
      'grant_type=refresh_token&client_id=cid&client_secret=cs&refresh_token=rt-1',
    ]);
    expect(out.configs).toHaveLength(1);
    const creds = out.configs[0]!.credentials as Record<string, string>;
    expect(creds).toMatchObject({ access_token: 'acc-2', refresh_token: 'rt-2', client_id: 'cid' });
    const expiry = Date.parse(creds.token_expiry_date!);
    expect(creds.token_expiry_date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/);
    expect(expiry).toBeGreaterThanOrEqual(before + 7_199_000);
  });

  it('OAuthAuthenticator with refresh_token_updater uses the stored access token until it expires', async () => {
    api = await mockApi(() => data);
    const m = manifest(`      type: OAuthAuthenticator
      token_refresh_endpoint: "{{ config.base_url }}/token"
      client_id: cid
      client_secret: cs
      refresh_token: "{{ config.credentials.refresh_token }}"
      refresh_token_updater: {}`);
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const config = {
      base_url: api.base,
      credentials: { refresh_token: 'rt', access_token: 'kept', token_expiry_date: later },
    };
    const { code, out } = await read(m, config, [{ name: 'a' }]);
    expect(code).toBe(0);
    expect(api.seen.map((s) => s.path)).toEqual(['/a']);
    expect(api.seen[0]!.headers.authorization).toBe('Bearer kept');
    expect(out.configs).toEqual([]);
  });

  it('OAuthAuthenticator fails with config_error when the refresh token is refused as the manifest says', async () => {
    api = await mockApi(() => ({ status: 400, json: { error: 'invalid_grant' } }));
    const m = manifest(`      type: OAuthAuthenticator
      token_refresh_endpoint: "{{ config.base_url }}/token"
      client_id: cid
      client_secret: cs
      refresh_token: rt
      refresh_token_error_status_codes: [400]
      refresh_token_error_key: error
      refresh_token_error_values: [invalid_grant]`);
    const { code, out } = await read(m, { base_url: api.base }, [{ name: 'a' }]);
    expect(code).not.toBe(0);
    expect(out.error()).toMatchObject({ failure_type: 'config_error' });
    expect(out.error()!.message).toContain('Refresh token is invalid or expired');
  });

  it('SessionTokenAuthenticator logs in once and injects the token through its api_token template', async () => {
    api = await mockApi((req) => (req.path === '/login' ? { json: { auth: { token: 'sess' } } } : data));
    const m = manifest(`      type: SessionTokenAuthenticator
      login_requester:
        type: HttpRequester
        url_base: "{{ config.base_url }}"
        path: /login
        http_method: POST
        request_body_json: { user: "{{ config.user }}" }
      session_token_path: [auth, token]
      request_authentication:
        type: ApiKey
        inject_into: { type: RequestOption, inject_into: header, field_name: X-Session }
        api_token: "Session {{ session_token }}"`);
    const { code } = await read(m, { base_url: api.base, user: 'me' }, BOTH);
    expect(code).toBe(0);
    expect(api.seen.map((s) => s.path)).toEqual(['/login', '/a', '/b']);
    expect(JSON.parse(api.seen[0]!.body)).toEqual({ user: 'me' });
    expect(api.seen[1]!.headers['x-session']).toBe('Session sess');
  });

  it('SessionTokenAuthenticator with Bearer sends the session token as a bearer token', async () => {
    api = await mockApi((req) => (req.path === '/login' ? { json: { token: 'sess' } } : data));
    const m = manifest(`      type: SessionTokenAuthenticator
      login_requester: { type: HttpRequester, url_base: "{{ config.base_url }}", path: /login }
      session_token_path: [token]
      expiration_duration: PT1H
      request_authentication: { type: Bearer }`);
    const { code } = await read(m, { base_url: api.base }, [{ name: 'a' }]);
    expect(code).toBe(0);
    expect(api.seen[1]!.headers.authorization).toBe('Bearer sess');
  });

  it('SelectiveAuthenticator uses the authenticator the config value names', async () => {
    api = await mockApi(() => data);
    const m = manifest(`      type: SelectiveAuthenticator
      authenticator_selection_path: [credentials, kind]
      authenticators:
        token: { type: BearerAuthenticator, api_token: "{{ config.credentials.token }}" }
        basic: { type: BasicHttpAuthenticator, username: "{{ config.credentials.user }}" }`);
    const { code } = await read(m, { base_url: api.base, credentials: { kind: 'basic', user: 'u' } }, [
      { name: 'a' },
    ]);
    expect(code).toBe(0);
    expect(api.seen[0]!.headers.authorization).toBe(`Basic ${Buffer.from('u:').toString('base64')}`);
    const other = await read(m, { base_url: api.base, credentials: { kind: 'nope' } }, [{ name: 'a' }]);
    expect(other.code).not.toBe(0);
    expect(other.out.error()!.message).toContain('The authenticator `nope` is not found.');
  });
});
