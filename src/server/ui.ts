// Serves the web UI's production build (ui/dist, made by `npm run build`) at /. A few lines of our own
// rather than @fastify/static: the build is a handful of files, the hashed ones cached for good and
// index.html revalidated, and the UI's own paths answered with index.html so that a reload of
// /executions/… works. Only those paths are routed here: anything else, /api/… above all, stays with the
// API's 404 and authentication rules.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const UI_DIST = fileURLToPath(new URL('../../ui/dist/', import.meta.url));

/** The UI's top-level pages (ui/src/App.tsx): each and everything below it is the app. */
const APP_SECTIONS = [
  'flows',
  'executions',
  'logs',
  'triggers',
  'namespaces',
  'connections',
  'sources',
  'destinations',
  'settings',
];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
  /** a content-hashed file name: it never changes, so browsers may keep it forever */
  immutable: boolean;
  gzip?: Buffer | null;
}

function readAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const url = `/${path.relative(dir, file).split(path.sep).join('/')}`;
    const body = readFileSync(file);
    assets.set(url, {
      body,
      type: TYPES[path.extname(file)] ?? 'application/octet-stream',
      etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
      immutable: url.startsWith('/assets/'),
    });
  }
  return assets;
}

/** Compressed once, on first request: text compresses well, and localhost is not the only client. */
function gzipped(asset: Asset): Buffer | null {
  if (asset.gzip === undefined) {
    const compressible =
      /^(text\/|application\/json|image\/svg)/.test(asset.type) && asset.body.length > 1024;
    asset.gzip = compressible ? gzipSync(asset.body) : null;
  }
  return asset.gzip;
}

function send(req: FastifyRequest, reply: FastifyReply, asset: Asset): FastifyReply {
  reply
    .header('content-type', asset.type)
    .header('etag', asset.etag)
    .header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    .header('vary', 'accept-encoding');
  if (req.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  const gzip = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '') ? gzipped(asset) : null;
  if (gzip) return reply.header('content-encoding', 'gzip').send(gzip);
  return reply.send(asset.body);
}

const NOT_BUILT =
  '<!doctype html><title>Sluice</title><h1>Sluice is running</h1>' +
  '<p>The web UI is not built: run <code>npm run build</code>. The API is here: ' +
  '<a href="/api/openapi.json">the OpenAPI document</a>, <a href="/health">/health</a>.</p>';

/** The UI at /, its files under /assets/, and index.html for every page of the app. */
export function registerUi(app: FastifyInstance, dir: string = UI_DIST): void {
  let assets: Map<string, Asset> | undefined;
  // read on first request: servers built for tests that never ask for the UI pay nothing
  const load = () => (assets ??= existsSync(path.join(dir, 'index.html')) ? readAssets(dir) : new Map());
  const schema = { hide: true };

  const page = async (req: FastifyRequest, reply: FastifyReply) => {
    const index = load().get('/index.html');
    if (!index)
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(NOT_BUILT);
    return send(req, reply, index);
  };
  app.get('/', { schema }, page);
  for (const section of APP_SECTIONS) {
    app.get(`/${section}`, { schema }, page);
    app.get(`/${section}/*`, { schema }, page);
  }
  app.get('/assets/*', { schema }, async (req, reply) => {
    const asset = load().get(req.url.split('?')[0]);
    return asset ? send(req, reply, asset) : reply.callNotFound();
  });
}
