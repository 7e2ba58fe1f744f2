import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../db/database.js';
import { media } from './schemas/common.js';

/** Prometheus metrics at /metrics. Engine figures are read from the database at scrape time, so
 * every webserver replica reports the whole installation, whichever process did the work. */
export function registerMetrics(app: FastifyInstance, db: Database): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sluice_' });

  const http = new Histogram({
    name: 'sluice_http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.addHook('onResponse', async (req, reply) => {
    http.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unknown', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  new Gauge({
    name: 'sluice_executions_active',
    help: 'Executions not ended yet, by state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      this.reset();
      const { rows } = await db.query<{ state: string; n: number }>(
        'SELECT state, count(*)::int AS n FROM executions WHERE ended IS NULL GROUP BY state',
      );
      for (const r of rows) this.set({ state: r.state }, r.n);
    },
  });

  // prom-client collects every metric at once: depth and lag share one query per scrape, and so do
  // the two sync figures; each scrape starts without them
  let queueStats: Promise<Array<{ consumer: string; n: number; lag: number }>> | undefined;
  let syncStats: Promise<{ records: number; bytes: number }> | undefined;
  const readQueue = () => {
    queueStats ??= db
      .query<{ consumer: string; n: number; lag: number }>(
        `SELECT consumer, count(*)::int AS n, coalesce(extract(epoch FROM now() - min(available_at)), 0)::float AS lag
           FROM queue WHERE available_at <= now() GROUP BY consumer`,
      )
      .then((r) => r.rows);
    return queueStats;
  };
  new Gauge({
    name: 'sluice_queue_depth',
    help: 'Messages available now, by consumer',
    labelNames: ['consumer'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await readQueue()) this.set({ consumer: r.consumer }, r.n);
    },
  });
  new Gauge({
    name: 'sluice_queue_lag_seconds',
    help: 'Age of the oldest message waiting for each consumer',
    labelNames: ['consumer'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await readQueue()) this.set({ consumer: r.consumer }, r.lag);
    },
  });

  new Gauge({
    name: 'sluice_task_runs_active',
    help: 'Task runs of executions not ended yet, by state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      this.reset();
      const { rows } = await db.query<{ state: string; n: number }>(
        `SELECT tr->'state'->>'current' AS state, count(*)::int AS n
           FROM executions e, json_array_elements(e.doc->'taskRunList') tr
          WHERE e.ended IS NULL GROUP BY 1`,
      );
      for (const r of rows) this.set({ state: r.state }, r.n);
    },
  });

  // acknowledged by destinations, all syncs and connections together, since the start
  const readSyncs = () => {
    syncStats ??= db
      .query<{ records: number; bytes: number }>(
        `SELECT coalesce(sum(records_total), 0)::float AS records, coalesce(sum(bytes_total), 0)::float AS bytes
           FROM sync_connections`,
      )
      .then((r) => r.rows[0]);
    return syncStats;
  };
  new Gauge({
    name: 'sluice_sync_records_committed',
    help: 'Records syncs have moved and destinations acknowledged, in total',
    registers: [registry],
    async collect() {
      this.set((await readSyncs()).records);
    },
  });
  new Gauge({
    name: 'sluice_sync_bytes_committed',
    help: 'Bytes of the records syncs have moved and destinations acknowledged, in total',
    registers: [registry],
    async collect() {
      this.set((await readSyncs()).bytes);
    },
  });

  new Gauge({
    name: 'sluice_components_alive',
    help: 'Registered components with a fresh heartbeat, by role',
    labelNames: ['role'],
    registers: [registry],
    async collect() {
      this.reset();
      const { rows } = await db.query<{ role: string; n: number }>(
        'SELECT role, count(*)::int AS n FROM service_instances GROUP BY role',
      );
      for (const r of rows) this.set({ role: r.role }, r.n);
    },
  });

  app.get(
    '/metrics',
    {
      schema: {
        operationId: 'getMetrics',
        tags: ['Metrics'],
        summary:
          'Prometheus metrics: HTTP latency, active executions and task runs, queue depth and lag, sync records and bytes, components alive',
        response: { 200: media('Prometheus text exposition format', 'text/plain') },
      },
    },
    async (_req, reply) => {
      queueStats = undefined;
      syncStats = undefined;
      return reply.type(registry.contentType).send(await registry.metrics());
    },
  );
}
