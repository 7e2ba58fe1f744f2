import { resolveInputs } from '../flow/inputs.js';
import type { InputSeal } from '../secrets/sealed-inputs.js';
import type { Flow, TriggerDef } from '../flow/model.js';
import { renderRecursive } from '../expression/index.js';
import type { Execution } from './execution.js';
import type { ExecutorMessage } from './messages.js';
import { newExecution } from './new-execution.js';
import { type EndedExecution, FLOW_TRIGGER, flowTriggerFires } from './flow-trigger.js';
import type { PreconditionStore } from './preconditions.js';
import type { ConditionContext, ConditionDef } from '../conditions/types.js';
import { conditionsHold } from '../conditions/registry.js';
import { executionVariables } from './variables.js';
import { dueOccurrences, firstFireDate, isPolling, isScheduled, nextFireDate } from './schedule.js';
import { advanceBackfill, type Backfill, backfillHorizon } from './backfill.js';
import { isTerminal, type StateType } from './state.js';
import type { Storage } from '../storage/storage.js';
import type { LivenessBackend, RetentionBackend } from './ports.js';
import { purgeExpired, type RetentionPolicy } from './retention.js';
import { Outage } from './outage.js';
import { type ServiceLogger, silentLogger } from './service-logger.js';

export interface DueTrigger {
  namespace: string;
  flowId: string;
  triggerId: string;
  nextDate: string;
  lastDate: string | null;
  /** the execution this trigger started last is still running */
  previousRunning: boolean;
  /** a backfill asked through the API, running or done: while it runs, what is due up to its end
   * fires at once, as for a `backfill` in the flow */
  backfill: Backfill | null;
}

export interface SchedulerTx {
  getFlow(namespace: string, id: string): Promise<Flow | undefined>;
  getExecution(id: string): Promise<Execution | undefined>;
  /** the windows of Flow triggers' preconditions, written in this transaction */
  preconditions: PreconditionStore;
  createExecution(execution: Execution): Promise<void>;
  emitExecutor(message: ExecutorMessage): Promise<void>;
  /** moves the trigger on; `executionId` is the last execution it started, when it started one;
   * `backfill` the backfill's new progress, when one runs */
  updateTrigger(
    trigger: DueTrigger,
    next: Date | null,
    last: Date | null,
    executionId?: string,
    backfill?: Backfill,
  ): Promise<void>;
  /** turns a trigger off, as the API's toggle does (its `stopAfter` was met) */
  disableTrigger(namespace: string, flowId: string, triggerId: string): Promise<void>;
}

export interface SchedulerBackend {
  /** Gives every enabled Schedule trigger of a live flow a row (starting at `first`), and drops the
   * rows of triggers that no longer exist. */
  reconcile(first: (flow: Flow, trigger: TriggerDef) => Date | null): Promise<void>;
  /** Locks the due trigger rows (SKIP LOCKED: replicas take disjoint rows) and runs fn in that
   * transaction, so an execution is created exactly when its trigger row moves on. */
  processDue(now: Date, fn: (tx: SchedulerTx, due: DueTrigger[]) => Promise<void>): Promise<void>;
  /** Takes the executions whose end the executor announced, with the live flows that have a Flow
   * trigger, and runs fn in the transaction that consumes them. */
  processEnded(fn: (tx: SchedulerTx, ended: EndedExecution[], flows: Flow[]) => Promise<void>): Promise<void>;
}

export interface SchedulerOptions {
  tickMs?: number;
  logger?: ServiceLogger;
  /** when given, each tick also declares silent components dead and hands back their jobs */
  liveness?: { backend: LivenessBackend; timeoutMs: number };
  /** when given, expired executions, logs and files are purged every `everyMs` (default a minute) */
  retention?: { backend: RetentionBackend; storage?: Storage; policy: RetentionPolicy; everyMs?: number };
  /** seals the SECRET inputs of the executions it starts */
  inputSeal?: InputSeal;
  /** Asks what a polling trigger (http.Trigger) watches: the trigger's variables when it should fire,
   * undefined when not. Called outside any transaction. */
  poll?: Poller;
}

export type Poller = (flow: Flow, trigger: TriggerDef) => Promise<Record<string, unknown> | undefined>;

type PollAnswer = { variables?: Record<string, unknown> };

export class Scheduler {
  private running = false;
  private loopDone?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private wake?: () => void;
  private readonly logger: ServiceLogger;
  private lastPurge = 0;
  /** polling triggers found due in this tick, to be asked outside the transaction */
  private toPoll: Array<{ key: string; flow: Flow; trigger: TriggerDef }> = [];
  /** their answers, for the pass that fires them */
  private polled = new Map<string, PollAnswer>();

  constructor(
    private readonly backend: SchedulerBackend,
    private readonly options: SchedulerOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
  }

  async start(): Promise<void> {
    this.running = true;
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.wake?.();
    await this.loopDone;
  }

  /** One pass: make sure trigger rows exist, then fire what is due. */
  async tick(now: Date = new Date()): Promise<void> {
    const liveness = this.options.liveness;
    if (liveness) {
      const dead = await liveness.backend.sweep(liveness.timeoutMs);
      for (const id of dead)
        this.logger.warn({ id }, `scheduler: ${id} stopped heartbeating; its task runs were handed back`);
    }
    await this.purge(now);
    await this.backend.reconcile((_flow, trigger) => firstFireDate(trigger, now));
    const fireDue = () =>
      this.backend.processDue(now, async (tx, due) => {
        for (const row of due) await this.fire(tx, row, now);
      });
    await fireDue();
    // a poll is a request outside: it is never made while the trigger rows are locked (on PGlite
    // that would hold the only connection), so due polling triggers are asked between two passes
    if (this.toPoll.length > 0) {
      const asked = this.toPoll.splice(0);
      await Promise.all(asked.map(async (p) => this.polled.set(p.key, await this.ask(p.flow, p.trigger))));
      await fireDue();
      this.polled.clear();
    }
    await this.backend.processEnded(async (tx, ended, flows) => {
      for (const e of ended) await this.stopAfter(tx, e);
      for (const e of ended) await this.fireFlowTriggers(tx, e, flows, now);
      await tx.preconditions.purgeExpired(now);
    });
  }

  private async purge(now: Date): Promise<void> {
    const retention = this.options.retention;
    if (!retention || now.getTime() - this.lastPurge < (retention.everyMs ?? 60_000)) return;
    this.lastPurge = now.getTime();
    const purged = await purgeExpired(retention.backend, retention.storage, retention.policy, now);
    if (purged.executions + purged.logs + purged.keys > 0)
      this.logger.info(purged, 'scheduler: expired history purged');
  }

  private async loop(): Promise<void> {
    const tickMs = this.options.tickMs ?? 1000;
    const outage = new Outage(this.logger, 'scheduler: tick', tickMs);
    while (this.running) {
      try {
        await this.tick();
        outage.ok();
      } catch (error) {
        // the next tick comes anyway; the outage only keeps the log to one line each way
        outage.failed(error);
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        // align on the next whole tick so per-second crons fire close to their second
        this.timer = setTimeout(resolve, tickMs - (Date.now() % tickMs));
      });
    }
  }

  private async ask(flow: Flow, trigger: TriggerDef): Promise<PollAnswer> {
    const where = { flow: `${flow.namespace}.${flow.id}`, trigger: trigger.id };
    if (!this.options.poll) {
      this.logger.warn(where, 'scheduler: this scheduler cannot poll; the trigger waits for its next date');
      return {};
    }
    try {
      return { variables: await this.options.poll(flow, trigger) };
    } catch (error) {
      // as Kestra: a poll that fails is logged and tried again at the next interval
      this.logger.warn({ ...where, error: String(error) }, 'scheduler: a polling trigger failed');
      return {};
    }
  }

  /** Kestra's `stopAfter`: once an execution a trigger started ends in one of these states, the
   * trigger is turned off. */
  private async stopAfter(tx: SchedulerTx, ended: EndedExecution): Promise<void> {
    if (!ended.triggerId || !isTerminal(ended.state)) return;
    const flow = await tx.getFlow(ended.namespace, ended.flowId);
    const trigger = flow?.triggers.find((t) => t.id === ended.triggerId);
    const states = trigger?.stopAfter as StateType[] | undefined;
    if (!trigger || !states?.includes(ended.state)) return;
    await tx.disableTrigger(ended.namespace, ended.flowId, trigger.id);
    this.logger.info(
      { flow: `${ended.namespace}.${ended.flowId}`, trigger: trigger.id, state: ended.state },
      'scheduler: trigger turned off: an execution it started ended in one of its stopAfter states',
    );
  }

  private async fireFlowTriggers(
    tx: SchedulerTx,
    ended: EndedExecution,
    flows: Flow[],
    now: Date,
  ): Promise<void> {
    // the ended execution's document is read once, and only when a condition or the inputs need it
    let document: Promise<Execution> | undefined;
    const upstream = () =>
      (document ??= tx.getExecution(ended.executionId).then((doc) => {
        if (!doc) throw new Error(`execution ${ended.executionId} is gone`);
        return doc;
      }));
    for (const flow of flows) {
      // a flow never fires its own Flow trigger: Kestra refuses the recursion, which would not end
      if (flow.disabled || (flow.namespace === ended.namespace && flow.id === ended.flowId)) continue;
      for (const trigger of flow.triggers) {
        if (trigger.type !== FLOW_TRIGGER) continue;
        const ctx: ConditionContext = {
          flow: { namespace: flow.namespace, id: flow.id },
          execution: async () => {
            const doc = await upstream();
            return {
              namespace: ended.namespace,
              flowId: ended.flowId,
              state: ended.state,
              outputs: ended.outputs,
              labels: doc.labels,
              attempts: doc.taskRunList.map((tr) => tr.attempts.map((a) => a.state.current)),
            };
          },
          variables: async () => executionVariables(flow, await upstream()),
        };
        const onError = (condition: unknown, error: unknown) =>
          this.logger.warn(
            { flow: `${flow.namespace}.${flow.id}`, trigger: trigger.id, condition, error: String(error) },
            'scheduler: a condition could not be evaluated and does not hold',
          );
        const fires = await flowTriggerFires({
          flow: ctx.flow,
          trigger,
          ended,
          ctx,
          store: tx.preconditions,
          now,
          onError,
        });
        if (!fires) continue;
        // inputs see the upstream execution as Kestra's run context shows it (`outputs.<task>`…)
        const seen = await upstream().then(
          (doc) => executionVariables(flow, doc),
          () => ({}),
        );
        await this.startExecution(tx, flow, trigger, { ...ended }, seen);
      }
    }
  }

  /** Creates an execution of a flow for one firing of one of its triggers, inputs rendered with the
   * trigger's variables; invalid inputs skip the firing with a warning. */
  private async startExecution(
    tx: SchedulerTx,
    flow: Flow,
    trigger: TriggerDef,
    variables: Record<string, unknown>,
    context: Record<string, unknown> = {},
    labels?: Record<string, string>,
  ): Promise<string | undefined> {
    let raw: Record<string, unknown>;
    try {
      raw = (renderRecursive(trigger.inputs ?? {}, {
        ...context,
        trigger: variables,
        flow: { id: flow.id, namespace: flow.namespace },
      }) ?? {}) as Record<string, unknown>;
    } catch (error) {
      // as in Kestra: the firing is skipped with a warning, never retried in a loop
      this.logger.warn(
        { flow: `${flow.namespace}.${flow.id}`, trigger: trigger.id, error: String(error) },
        'scheduler: inputs could not be rendered, firing skipped',
      );
      return undefined;
    }
    const { values, errors } = resolveInputs(flow.inputs, raw, { seal: this.options.inputSeal?.seal });
    if (errors.length > 0) {
      this.logger.warn(
        { flow: `${flow.namespace}.${flow.id}`, trigger: trigger.id, errors },
        'scheduler: inputs invalid, firing skipped',
      );
      return undefined;
    }
    const execution = newExecution(flow, values, {
      trigger: { id: trigger.id, type: trigger.type, variables },
      labels,
    });
    await tx.createExecution(execution);
    await tx.emitExecutor({ type: 'execution.created', executionId: execution.id });
    return execution.id;
  }

  /** A Schedule trigger's `conditions` (and older `scheduleConditions`) judge each date it fires for:
   * a date they refuse starts nothing. */
  private async scheduleConditionsHold(
    flow: Flow,
    trigger: TriggerDef,
    variables: Record<string, unknown>,
  ): Promise<boolean> {
    const conditions = [
      ...((trigger.conditions as ConditionDef[] | undefined) ?? []),
      ...((trigger.scheduleConditions as ConditionDef[] | undefined) ?? []),
    ];
    if (conditions.length === 0) return true;
    const ctx: ConditionContext = {
      flow: { namespace: flow.namespace, id: flow.id },
      variables: async () => ({ flow: { id: flow.id, namespace: flow.namespace }, trigger: variables }),
    };
    return conditionsHold(conditions, ctx, (condition, error) =>
      this.logger.warn(
        { flow: `${flow.namespace}.${flow.id}`, trigger: trigger.id, condition, error: String(error) },
        'scheduler: a schedule condition could not be evaluated, the date is skipped',
      ),
    );
  }

  private async fire(tx: SchedulerTx, row: DueTrigger, now: Date): Promise<void> {
    const flow = await tx.getFlow(row.namespace, row.flowId);
    const trigger = flow?.triggers.find((t) => t.id === row.triggerId && isScheduled(t));
    if (!flow || !trigger || trigger.disabled || flow.disabled) {
      await tx.updateTrigger(row, null, null);
      return;
    }
    // no overlap: while the execution it started last runs, the trigger waits (the occurrences it
    // misses meanwhile are then handled as recoverMissedSchedules says)
    if (row.previousRunning) return;
    if (isPolling(trigger)) return this.firePolling(tx, row, flow, trigger, now);
    const backfill = row.backfill?.done === false ? row.backfill : undefined;
    const due = dueOccurrences(
      trigger,
      new Date(row.nextDate),
      backfill ? backfillHorizon(backfill, now) : now,
    );
    // Missed occurrences catch up one at a time, each once the one before has ended, so that they
    // never overlap either. A backfill is the exception: its point is to fill history now.
    const { fire, next } =
      trigger.backfill || backfill || due.fire.length <= 1
        ? due
        : { fire: due.fire.slice(0, 1), next: due.fire[1] };
    // a backfill's inputs and labels win over the trigger's (Kestra's Backfill)
    const firing = backfill?.inputs
      ? {
          ...trigger,
          inputs: { ...(trigger.inputs as Record<string, unknown> | undefined), ...backfill.inputs },
        }
      : trigger;
    let previous = row.lastDate;
    let started: string | undefined;
    for (const date of fire) {
      const variables = {
        date: date.toISOString(),
        next: nextFireDate(trigger, date)?.toISOString() ?? null,
        previous,
      };
      previous = variables.date;
      if (!(await this.scheduleConditionsHold(flow, trigger, variables))) continue;
      started = (await this.startExecution(tx, flow, firing, variables, {}, backfill?.labels)) ?? started;
    }
    const last = fire.length > 0 ? fire[fire.length - 1] : null;
    if (!backfill) return tx.updateTrigger(row, next, last, started);
    const advanced = advanceBackfill(backfill, fire.length, next, now);
    await tx.updateTrigger(row, advanced.next, last, started, advanced.backfill);
  }

  /** A due polling trigger: asked first (between two passes, see tick), then fired when its answer
   * says so and its conditions hold; either way its next poll is an interval away. */
  private async firePolling(
    tx: SchedulerTx,
    row: DueTrigger,
    flow: Flow,
    trigger: TriggerDef,
    now: Date,
  ): Promise<void> {
    const key = `${row.namespace}\u0000${row.flowId}\u0000${row.triggerId}`;
    const answer = this.polled.get(key);
    if (!answer) {
      this.toPoll.push({ key, flow, trigger });
      return;
    }
    this.polled.delete(key);
    const variables = answer.variables;
    let started: string | undefined;
    if (variables && (await this.scheduleConditionsHold(flow, trigger, variables)))
      started = await this.startExecution(tx, flow, trigger, variables);
    await tx.updateTrigger(row, dueOccurrences(trigger, new Date(row.nextDate), now).next, now, started);
  }
}
