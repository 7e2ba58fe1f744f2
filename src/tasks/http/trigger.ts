import { isTruthy } from '../../engine/conditions.js';
import type { Poller } from '../../engine/scheduler.js';
import { renderAsync, renderRecursiveAsync } from '../../expression/index.js';
import type { TaskDef } from '../../flow/model.js';
import type { RunContext, TaskLogger } from '../types.js';
import { HttpRequest } from './request.js';

/** Kestra's default: any status below 400 fires. */
const DEFAULT_RESPONSE_CONDITION = '{{ response.statusCode < 400 }}';
/** A poll that takes longer is given up (the trigger tries again at its next interval). */
const POLL_TIMEOUT_MS = 60_000;
/** The body becomes a trigger variable, stored in every execution the trigger starts. */
const MAX_TRIGGER_BODY_BYTES = 1024 * 1024;

const request = new HttpRequest({ maxBodyBytes: MAX_TRIGGER_BODY_BYTES });

const quiet: TaskLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Kestra's io.kestra.plugin.core.http.Trigger: the request is sent as the Request task sends it, any
 * status allowed, and `responseCondition` is rendered over `response.statusCode`, `response.body` and
 * `response.headers`. When it holds, the trigger's variables are the Request task's outputs (`uri`,
 * `code`, `headers`, `body`). Templates see the flow (`flow.id`, `flow.namespace`), no execution. */
export const pollHttpTrigger: Poller = async (flow, trigger) => {
  const variables = { flow: { id: flow.id, namespace: flow.namespace } };
  const ctx = {
    variables,
    logger: quiet,
    signal: AbortSignal.timeout(POLL_TIMEOUT_MS),
    render: (value: unknown) => renderRecursiveAsync(value, variables),
    renderString: (template: string) => renderAsync(template, variables),
    readFile: () => Promise.reject(new Error('a trigger reads no internal-storage file')),
  } as unknown as RunContext;
  const { outputs } = await request.run({ ...(trigger as unknown as TaskDef), allowFailed: true }, ctx);
  const response = { statusCode: outputs?.code, body: outputs?.body, headers: outputs?.headers };
  const condition = String(trigger.responseCondition ?? DEFAULT_RESPONSE_CONDITION);
  const verdict = await renderAsync(condition, { ...variables, response });
  return isTruthy(verdict) ? outputs : undefined;
};
