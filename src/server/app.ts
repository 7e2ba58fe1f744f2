import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Database } from '../db/database.js';
import type { RetryDef } from '../flow/model.js';
import type { SecretCipher } from '../secrets/cipher.js';
import { createInputSeal, maskSealed } from '../secrets/sealed-inputs.js';
import type { Storage } from '../storage/storage.js';
import { DEFAULT_BODY_LIMIT, DEFAULT_UPLOAD_LIMIT } from '../config/config.js';
import { type AuthOptions, registerAuth } from './auth.js';
import { type BrowserPolicy, registerBrowserGuard } from './browser-guard.js';
import { registerDashboardRoutes } from './dashboard-routes.js';
import { registerErrorHandlers } from './errors.js';
import { registerExecutionFileRoutes } from './execution-file-routes.js';
import { registerExecutionBulkRoutes } from './execution-bulk-routes.js';
import { registerExecutionRoutes } from './execution-routes.js';
import { registerFlowRoutes } from './flow-routes.js';
import { registerHealth } from './health.js';
import { registerKvRoutes } from './kv-routes.js';
import { registerLogRoutes } from './log-routes.js';
import { registerNamespaceFileRoutes } from './namespace-file-routes.js';
import { registerNamespaceRoutes } from './namespace-routes.js';
import { registerMetrics } from './metrics.js';
import { registerNotificationRoutes } from './notification-routes.js';
import { registerResourceRoutes } from './resources/resource-routes.js';
import { registerTimelineRoutes } from './resources/timeline-routes.js';
import { registerSecretRoutes } from './secret-routes.js';
import { openApiOptions, registerOpenApiRoute, registerSharedSchemas } from './openapi.js';
import { registerTriggerRoutes } from './trigger-routes.js';
import { registerUi } from './ui.js';
import { registerUiSupportRoutes } from './ui-support-routes.js';
import { refuseUnstorableText } from './storable-request.js';
import { registerWebhookRoutes } from './webhook-routes.js';
import { acceptYaml } from './yaml-body.js';

export interface ServerOptions {
  db: Database;
  /** internal storage, for uploaded FILE inputs and execution file downloads; absent: files are
   * refused with 503 */
  storage?: Storage;
  logger?: boolean | object;
  /** absent: no authentication (tests, and `server local` on a loopback address) */
  auth?: AuthOptions;
  bodyLimit?: number;
  /** largest uploaded file, in bytes */
  uploadLimit?: number;
  /** encrypts sources' and destinations' secret fields and seals SECRET inputs */
  cipher: SecretCipher;
  /** which names and origins a browser may reach the API from (docs/security.md); absent: a server
   * on 127.0.0.1 with no other origin */
  browser?: BrowserPolicy;
  /** the installation's limits on sync attempts (Airbyte's SYNC_JOB_RETRIES_* settings) */
  syncRetry?: Partial<RetryDef>;
}

/** The webserver: the HTTP API over the repository and the queue, described by the OpenAPI document
 * its route schemas generate. Errors are JSON {message, details}. */
export function buildServer(options: ServerOptions): FastifyInstance {
  const { db } = options;
  const uploadLimit = options.uploadLimit ?? DEFAULT_UPLOAD_LIMIT;
  const inputSeal = createInputSeal(options.cipher);
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // every field at fault at once; an unknown field is an error rather than silently removed
    ajv: { customOptions: { allErrors: true, removeAdditional: false } },
  });
  const browser = options.browser ?? { host: '127.0.0.1' };
  registerBrowserGuard(app, browser);
  if (browser.allowedOrigins?.length) {
    // preflights and response headers for exactly those origins; without any, no CORS header at all
    app.register(cors, {
      origin: [...browser.allowedOrigins],
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    });
  }
  registerAuth(app, db, options.auth ?? { enabled: false });
  acceptYaml(app);
  registerErrorHandlers(app);
  refuseUnstorableText(app);
  registerSharedSchemas(app);
  // a sealed SECRET input is no business of any client: every answer shows the mask instead
  app.addHook('preSerialization', async (_req, _reply, payload) => maskSealed(payload));
  app.register(swagger, openApiOptions());
  app.register(multipart, { limits: { fileSize: uploadLimit } });

  // Routes are declared once the plugins above are loaded, so that @fastify/swagger sees every one.
  app.after((error) => {
    if (error) throw error;

    registerUi(app);
    registerUiSupportRoutes(app);
    registerOpenApiRoute(app);
    registerHealth(app, db);
    registerFlowRoutes(app, db);
    registerExecutionRoutes(app, db, { storage: options.storage, uploadLimit, inputSeal });
    registerExecutionBulkRoutes(app, db, options.storage);
    registerExecutionFileRoutes(app, db, options.storage);
    registerLogRoutes(app, db);
    registerWebhookRoutes(app, db, inputSeal, options.auth?.failureLimits);
    registerTriggerRoutes(app, db);
    registerDashboardRoutes(app, db);
    registerMetrics(app, db);
    registerKvRoutes(app, db);
    registerNamespaceFileRoutes(app, db, options.storage, uploadLimit);
    registerNamespaceRoutes(app, db);
    registerSecretRoutes(app, db, options.cipher);
    const resources = { db, cipher: options.cipher, syncRetry: options.syncRetry };
    registerResourceRoutes(app, resources);
    registerTimelineRoutes(app, resources);
    registerNotificationRoutes(app, resources);
  });

  return app;
}
