// Trigger types: when an execution of the flow starts by itself.
import { Cron } from 'croner';
import { z } from 'zod';
import { coerceInput, misfitMessage } from '../../flow/inputs.js';
import { duration, expecting, labels, LOG_LEVELS, looseMap, state, text } from '../../flow/schemas.js';
import { conditionSchema, type ConditionSite } from '../../conditions/registry.js';
import { preconditions } from '../../conditions/preconditions.js';
import type { TriggerTypeSpec } from '../spec.js';

const conditions = (site: ConditionSite) => z.array(conditionSchema(site)).optional();

/** Properties every trigger takes (Kestra's AbstractTrigger); `id` and `type` are the loader's. */
const common = {
  description: text().optional(),
  disabled: z.boolean().default(false),
  conditions: conditions('flow'),
  stopAfter: z.array(state()).optional(),
  workerGroup: z
    .strictObject({ key: text(), fallback: z.enum(['FAIL', 'WAIT', 'CANCEL']).optional() })
    .optional(),
  logLevel: z.enum(LOG_LEVELS).optional(),
  logToFile: z.boolean().optional(),
  failOnTriggerError: z.boolean().optional(),
};

function cronProblem(cron: string, withSeconds: boolean): string | undefined {
  try {
    new Cron(cron, { mode: withSeconds ? '6-part' : '5-part' });
    return undefined;
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^CronPattern: /, '') : String(error);
    return `invalid cron expression '${cron}': ${reason}`;
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A date-time with an offset, as a DATETIME input takes it. */
const instant = () =>
  z.string().superRefine((value, ctx) => {
    const coerced = coerceInput({ id: 'backfill', type: 'DATETIME', required: true }, value);
    if (!coerced.ok) ctx.addIssue({ code: 'custom', message: misfitMessage(coerced.misfit), input: value });
  });

/** Shortest webhook key accepted (docs/security.md, Webhooks). */
export const WEBHOOK_KEY_MIN = 16;

export const triggerTypes: TriggerTypeSpec[] = [
  {
    type: 'io.kestra.plugin.core.trigger.Schedule',
    aliases: ['io.kestra.core.models.triggers.types.Schedule', 'schedule'],
    description:
      'Starts an execution at every time matched by a cron expression, optionally backfilling the past.',
    properties: z
      .strictObject({
        ...common,
        conditions: conditions('schedule'),
        cron: text(),
        withSeconds: z.boolean().default(false),
        timezone: z
          .string()
          .refine(isTimeZone, expecting('an IANA time zone such as Europe/Paris'))
          .optional(),
        inputs: looseMap().optional(),
        labels: labels().optional(),
        backfill: z
          .strictObject({
            start: instant(),
            end: instant().optional(),
            inputs: looseMap().optional(),
            labels: labels().optional(),
          })
          .optional(),
        recoverMissedSchedules: z.enum(['ALL', 'LAST', 'NONE']).optional(),
        lateMaximumDelay: duration().optional(),
        scheduleConditions: conditions('schedule'),
      })
      .superRefine((schedule, ctx) => {
        const problem = cronProblem(schedule.cron, schedule.withSeconds);
        if (problem) ctx.addIssue({ code: 'custom', path: ['cron'], message: problem, input: schedule.cron });
      }),
  },
  {
    type: 'io.kestra.plugin.core.trigger.ScheduleOnDates',
    aliases: [],
    description: 'Starts an execution at each of a list of dates.',
    properties: z.strictObject({
      ...common,
      conditions: conditions('schedule'),
      dates: z.array(instant()).min(1),
      timezone: z.string().refine(isTimeZone, expecting('an IANA time zone such as Europe/Paris')).optional(),
      inputs: looseMap().optional(),
      labels: labels().optional(),
      recoverMissedSchedules: z.enum(['ALL', 'LAST', 'NONE']).optional(),
    }),
  },
  {
    type: 'io.kestra.plugin.core.trigger.Flow',
    aliases: ['io.kestra.core.models.triggers.types.Flow', 'flow'],
    description: 'Starts an execution when executions of other flows end in given states.',
    properties: z.strictObject({
      ...common,
      states: z.array(state()).optional(),
      inputs: looseMap().optional(),
      preconditions: preconditions().optional(),
    }),
  },
  {
    type: 'io.kestra.plugin.core.trigger.Webhook',
    aliases: ['io.kestra.core.models.triggers.types.Webhook', 'webhook'],
    description: 'Starts an execution when /api/v1/executions/webhook/{namespace}/{flowId}/{key} is called.',
    properties: z.strictObject({
      ...common,
      // the key is a webhook's only credential: long enough not to be guessed (Kestra caps it at 256)
      key: text().pipe(
        z
          .string()
          .min(
            WEBHOOK_KEY_MIN,
            `a webhook key is its only protection: use at least ${WEBHOOK_KEY_MIN} characters, random ones`,
          )
          .max(256),
      ),
      inputs: looseMap().optional(),
    }),
  },
  {
    type: 'io.kestra.plugin.core.http.Trigger',
    aliases: ['io.kestra.plugin.fs.http.Trigger', 'http-trigger'],
    description:
      'Sends an HTTP request every `interval` and starts an execution when `responseCondition` holds ' +
      '(`trigger.code`, `trigger.body`, `trigger.headers` hold the response).',
    properties: z.strictObject({
      ...common,
      uri: text(),
      method: text().optional(),
      body: text().optional(),
      formData: looseMap().optional(),
      contentType: text().optional(),
      headers: looseMap().optional(),
      options: looseMap().optional(),
      sslOptions: looseMap().optional(),
      encryptBody: z.boolean().optional(),
      responseCondition: text().optional(),
      interval: duration().optional(),
      inputs: looseMap().optional(),
    }),
  },
];
