import { hostname } from 'node:os';
import { expect, test } from 'vitest';
import { crossSiteRefusal, hostAllowList } from '../../../src/server/browser-guard.js';

const post = (headers: Record<string, string>) => ({ method: 'POST', headers });
const none = new Set<string>();

test('bound to every interface, the machine name is one of the server names; bound to 127.0.0.1 it is not', () => {
  const name = hostname().toLowerCase();
  expect([hostAllowList({ host: '0.0.0.0' })(`${name}:8080`), hostAllowList({ host: '::' })(name)]).toEqual([
    true,
    true,
  ]);
  expect(hostAllowList({ host: '127.0.0.1' })(name)).toBe(name === 'localhost');
});

test('bound to a name, that name is allowed; configured names are allowed in any case and with any port', () => {
  const allowed = hostAllowList({ host: 'sluice.lan', allowedHosts: ['Proxy.Example.com'] });
  expect(['sluice.lan:8080', 'proxy.example.com', 'PROXY.example.com:443', 'other.lan'].map(allowed)).toEqual(
    [true, true, true, false],
  );
});

test('a Host a URL parser would read as user info or a path is refused', () => {
  const allowed = hostAllowList({ host: '127.0.0.1' });
  expect(['evil@127.0.0.1', '127.0.0.1/x', '127.0.0.1#x', 'a b', ''].map(allowed)).toEqual([
    false,
    false,
    false,
    false,
    false,
  ]);
});

test("the server's own origin passes, default ports and a TLS proxy's https origin included", () => {
  expect([
    crossSiteRefusal(post({ origin: 'http://127.0.0.1:8080', host: '127.0.0.1:8080' }), none),
    crossSiteRefusal(post({ origin: 'http://sluice.lan:80', host: 'sluice.lan' }), none),
    crossSiteRefusal(post({ origin: 'https://sluice.example.com', host: 'sluice.example.com' }), none),
  ]).toEqual([undefined, undefined, undefined]);
});

test('another port, another name, an opaque origin (null) and a sandboxed page are other origins', () => {
  const refused = [
    post({ origin: 'http://127.0.0.1:9090', host: '127.0.0.1:8080' }),
    post({ origin: 'http://localhost:8080', host: '127.0.0.1:8080' }),
    post({ origin: 'null', host: '127.0.0.1:8080' }),
    post({ origin: 'http://sluice.lan:443', host: 'sluice.lan' }),
  ].map((req) => crossSiteRefusal(req, none) !== undefined);
  expect(refused).toEqual([true, true, true, true]);
});

test('reads are never refused for their origin: they change nothing, and CORS keeps their answers from the page', () => {
  const read = (method: string) =>
    crossSiteRefusal({ method, headers: { origin: 'http://evil.example' } }, none);
  expect(['GET', 'HEAD', 'OPTIONS'].map(read)).toEqual([undefined, undefined, undefined]);
});
