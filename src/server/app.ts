import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Database } from '../db/database.js';
import type { SecretCipher } from '../secrets/cipher.js';
import type { Storage } from '../storage/storage.js';
import { DEFAULT_BODY_LIMIT, DEFAULT_UPLOAD_LIMIT } from '../config/config.js';
import { type AuthOptions, registerAuth } from './auth.js';
import { registerErrorHandlers } from './errors.js';
import { registerExecutionFileRoutes } from './execution-file-routes.js';
import { registerExecutionRoutes } from './execution-routes.js';
import { registerFlowRoutes } from './flow-routes.js';
import { registerHealth } from './health.js';
import { registerLogRoutes } from './log-routes.js';
import { registerMetrics } from './metrics.js';
import { registerResourceRoutes } from './resources/resource-routes.js';
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
  /** encrypts sources' and destinations' secret fields */
  cipher: SecretCipher;
}

/** The webserver: the HTTP API over the repository and the queue, described by the OpenAPI document
 * its route schemas generate. Errors are JSON {message, details}. */
export function buildServer(options: ServerOptions): FastifyInstance {
  const { db } = options;
  const uploadLimit = options.uploadLimit ?? DEFAULT_UPLOAD_LIMIT;
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // every field at fault at once; an unknown field is an error rather than silently removed
    ajv: { customOptions: { allErrors: true, removeAdditional: false } },
  });
  registerAuth(app, db, options.auth ?? { enabled: false });
  acceptYaml(app);
  registerErrorHandlers(app);
  refuseUnstorableText(app);
  registerSharedSchemas(app);
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
    registerExecutionRoutes(app, db, { storage: options.storage, uploadLimit });
    registerExecutionFileRoutes(app, db, options.storage);
    registerLogRoutes(app, db);
    registerWebhookRoutes(app, db);
    registerTriggerRoutes(app, db);
    registerMetrics(app, db);
    registerResourceRoutes(app, { db, cipher: options.cipher });
  });

  return app;
}
