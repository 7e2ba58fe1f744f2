import { type RenderOptions, type RenderServices, renderRecursiveAsync } from '../expression/index.js';
import { parseDuration } from '../flow/duration.js';
import { resolveInputs } from '../flow/inputs.js';
import { REDACTED, Redactor } from '../secrets/redactor.js';
import { type InputSeal, openSealed } from '../secrets/sealed-inputs.js';
import type { Flow, InputDef, RetryDef, TaskDef } from '../flow/model.js';
import { isTruthy } from './conditions.js';
import { closeOpenTaskRuns, type Execution, newId, type TaskRun, withLabels } from './execution.js';
import { taskIndex } from './flow-index.js';
import type { ExecutorMessage, LogLine, TimerKind, WorkerJob } from './messages.js';
import { newExecution } from './new-execution.js';
import type { ExecutorTx } from './ports.js';
import { nextRetryDelay } from './retry.js';
import { isFailure, isTerminal, newState, type StateType, transition, worstState } from './state.js';
import {
  type ChildrenResult,
  type FlowableContext,
  PENDING,
  type SubflowRequest,
} from './flowables/flowable.js';
import { findFlowable } from './flowables/index.js';
import { FLOWABLE, isFlowable } from './task-types.js';
import type { Storage } from '../storage/storage.js';
import { pathOfUri, taskRunStoragePath, uriOfPath, executionStoragePrefix } from '../storage/paths.js';
import { executorRenderServices, readText } from './render-services.js';
import { ancestors, buildOutputs, executionVariables, taskRunVariables } from './variables.js';

// The executor's decision logic for one execution: apply the messages that arrived, then walk the
// flow from the top, creating the next task runs, resolving flowable tasks and closing finished
// branches until nothing changes. Everything it decides is written by the caller in the same
// transaction that consumed the messages.

type ListResult = ChildrenResult;

type ResultMessage = Extract<ExecutorMessage, { type: 'taskrun.result' }>;

export class ExecutionProcessor {
  private changed = false;
  /** the execution's state before this pass, to tell the scheduler when it changes */
  private readonly initialState: StateType;
  private readonly tasks: Map<string, TaskDef>;
  private readonly runs = new Map<string, TaskRun>();
  private readonly renderOptions: RenderOptions;
  /** the inputs with SECRET values opened, for the templates the executor renders; a job carries
   * them sealed, for its worker to open */
  private readonly opened: ReturnType<typeof openSealed<Record<string, unknown>>>;
  /** masks the opened values, and those secret() returns, in what this processor stores */
  private readonly redactor: Redactor;
  /** read(), fileSize() and kv() in the templates the executor renders */
  private readonly services: RenderServices;
  /** what registered flowables (flowables/index.ts) see of this processor */
  private readonly flowableContext: FlowableContext;

  constructor(
    private readonly flow: Flow,
    private readonly execution: Execution,
    private readonly tx: ExecutorTx,
    private readonly now: () => Date = () => new Date(),
    renderOptions: RenderOptions = {},
    private readonly inputSeal?: InputSeal,
    /** internal storage, for flowables that read or write files (ForEachItem) */
    private readonly storage?: Storage,
  ) {
    this.opened = openSealed(execution.inputs, inputSeal);
    this.redactor = Redactor.of(this.opened.secrets);
    this.renderOptions = {
      ...renderOptions,
      secrets: this.opened.secrets,
      onSecret: (value) => this.redactor.add(value),
    };
    this.initialState = execution.state.current;
    this.services = executorRenderServices(execution, tx, storage);
    this.tasks = taskIndex(flow);
    const exec = execution;
    for (const tr of execution.taskRunList)
      this.runs.set(runKey(tr.taskId, tr.parentTaskRunId, tr.value), tr);
    this.flowableContext = {
      now: () => this.now(),
      evalList: (tasks, parent, value, concurrency) => this.evalList(tasks, parent, value, concurrency),
      children: (parent) => this.execution.taskRunList.filter((r) => r.parentTaskRunId === parent.id),
      forgetChildren: (parent) => this.forgetChildren(parent),
      render: (value, task, run) => this.render(value, this.variables(task, run)),
      holds: (condition, task, run) => this.holds(condition, this.variables(task, run)),
      wholeNumber: (raw, task, run, fallback) => this.intProperty(raw, run, task, fallback),
      wakeAfter: (run, delayMs) =>
        this.tx.emitExecutor(
          { type: 'timer', executionId: this.execution.id, taskRunId: run.id, kind: 'flowable' },
          delayMs,
        ),
      changed: () => {
        this.changed = true;
      },
      parentOf: (run) => this.execution.taskRunList.find((r) => r.id === run.parentTaskRunId),
      startSubflow: (run, task, request) => this.createSubflowExecution(run, task, request),
      readText: async (uri, maxBytes) => {
        const canonical = uriOfPath(pathOfUri(uri));
        if (!canonical.startsWith(`${this.filesPrefix()}/`))
          throw new Error(`${uri} is not a file of this execution`);
        return readText(await this.files().get(canonical), uri, maxBytes);
      },
      putFile: (run, name, content) =>
        this.files().put(
          taskRunStoragePath(exec.namespace, exec.flowId, exec.id, run.taskId, run.id, name),
          content,
        ),
      filesOf: (run) =>
        uriOfPath(taskRunStoragePath(exec.namespace, exec.flowId, exec.id, run.taskId, run.id, 'x')).replace(
          /\/x$/,
          '',
        ),
    };
  }

  private files(): Storage {
    if (!this.storage) throw new Error('this executor has no internal storage');
    return this.storage;
  }

  private filesPrefix(): string {
    const exec = this.execution;
    return uriOfPath(executionStoragePrefix(exec.namespace, exec.flowId, exec.id));
  }

  /** Removes every task run under a parent, so that its tasks can run again (WaitFor's loop). */
  private forgetChildren(parent: TaskRun): void {
    const gone = new Set([parent.id]);
    const list = this.execution.taskRunList;
    // children follow their parent in the list, so one forward pass finds every descendant
    for (const tr of list) if (tr.parentTaskRunId !== null && gone.has(tr.parentTaskRunId)) gone.add(tr.id);
    gone.delete(parent.id);
    this.execution.taskRunList = list.filter((tr) => !gone.has(tr.id));
    for (const [key, tr] of this.runs) if (gone.has(tr.id)) this.runs.delete(key);
    this.changed = true;
  }

  async apply(message: ExecutorMessage): Promise<void> {
    switch (message.type) {
      case 'execution.created':
        return this.admit();
      case 'taskrun.result':
        return this.applyResult(message);
      case 'timer':
        return this.applyTimer(message.taskRunId, message.kind);
      case 'subflow.ended':
        return this.applySubflowEnded(message);
      case 'resume':
        return this.resume(message.inputs ?? {});
      case 'kill':
        return this.kill();
      case 'restart':
        return this.restart();
    }
  }

  /** Walks until a fixpoint; bounded so that a bug can never spin forever inside a transaction. */
  async advance(): Promise<void> {
    if (this.execution.state.current !== 'QUEUED') await this.walk();
    await this.announceChange();
  }

  private async walk(): Promise<void> {
    for (let pass = 0; pass < 10_000; pass++) {
      if (isTerminal(this.execution.state.current)) return;
      this.leavePausedState();
      this.changed = false;
      await this.walkRoot();
      if (!this.changed) break;
    }
    this.updatePausedState();
  }

  /** Flow triggers may listen to states an execution passes through (RUNNING, PAUSED…), as Kestra's
   * do: the scheduler hears of the state this pass leaves it in when that changed and is not an end
   * (an end is told by `ended`, with its outputs). */
  private async announceChange(): Promise<void> {
    const exec = this.execution;
    if (exec.state.current === this.initialState || isTerminal(exec.state.current)) return;
    await this.tx.emitScheduler({
      executionId: exec.id,
      namespace: exec.namespace,
      flowId: exec.flowId,
      flowRevision: exec.flowRevision,
      state: exec.state.current,
      outputs: null,
    });
  }

  // ---------------------------------------------------------------- messages

  /** A new (or queued) execution starts unless its flow's concurrency limit is reached; then it
   * waits (QUEUE), is cancelled (CANCEL) or fails (FAIL). The flow lock makes replicas agree. */
  private async admit(): Promise<void> {
    const exec = this.execution;
    if (exec.state.current !== 'CREATED' && exec.state.current !== 'QUEUED') return;
    const concurrency = this.flow.concurrency;
    if (concurrency) {
      await this.tx.lockFlow(exec.namespace, exec.flowId);
      if ((await this.tx.countRunning(exec.namespace, exec.flowId, exec.id)) >= concurrency.limit) {
        const outcome = { QUEUE: 'QUEUED', CANCEL: 'CANCELLED', FAIL: 'FAILED' } as const;
        if (concurrency.behavior === 'FAIL') {
          exec.error = `flow concurrency limit of ${concurrency.limit} reached`;
        }
        transition(exec.state, outcome[concurrency.behavior], this.now());
        // a refused subflow child must still answer its parent
        if (isTerminal(exec.state.current)) await this.ended(false);
        return;
      }
    }
    await this.startRunning();
  }

  private notice(event: 'started' | 'ended') {
    const exec = this.execution;
    const { id: executionId, namespace, flowId } = exec;
    return { event, executionId, namespace, flowId, state: exec.state.current };
  }

  /** CREATED (or QUEUED) to RUNNING, with the execution's "Flow started" line, as Kestra's executor
   * writes it, and the observers told. */
  private async startRunning(): Promise<void> {
    transition(this.execution.state, 'RUNNING', this.now());
    this.executionLog('INFO', 'Flow started');
    await this.tx.emitObserver(this.notice('started'));
  }

  private executionLog(level: LogLine['level'], text: string): void {
    const exec = this.execution;
    this.tx.log({
      executionId: exec.id,
      namespace: exec.namespace,
      flowId: exec.flowId,
      taskId: null,
      taskRunId: null,
      attempt: null,
      level,
      message: text,
      ts: this.now().toISOString(),
    });
  }

  /** Everything an execution's end sets off: its parent hears of it, the scheduler (Flow triggers)
   * is told, and when it held a concurrency slot the oldest queued execution of its flow may start. */
  private async ended(heldSlot: boolean): Promise<void> {
    const exec = this.execution;
    await this.notifyParent();
    await this.tx.emitScheduler({
      executionId: exec.id,
      namespace: exec.namespace,
      flowId: exec.flowId,
      flowRevision: exec.flowRevision,
      state: exec.state.current,
      outputs: exec.outputs,
      ...(exec.trigger && !exec.parentId ? { triggerId: exec.trigger.id } : {}),
    });
    await this.tx.emitObserver(this.notice('ended'));
    if (heldSlot) await this.releaseSlot();
  }

  private async releaseSlot(): Promise<void> {
    if (!this.flow.concurrency) return;
    const next = await this.tx.oldestQueued(this.execution.namespace, this.execution.flowId);
    if (next) await this.tx.emitExecutor({ type: 'execution.created', executionId: next });
  }

  private async applyResult(m: ResultMessage): Promise<void> {
    const tr = this.execution.taskRunList.find((r) => r.id === m.taskRunId);
    // At-least-once delivery: a duplicate or stale result (an older attempt, a run already closed
    // by a kill) is dropped here.
    if (!tr || isTerminal(tr.state.current) || tr.attempts.length !== m.attempt) return;
    const attempt = tr.attempts[m.attempt - 1];
    attempt.state = newState(new Date(m.startDate), 'RUNNING');
    transition(attempt.state, m.state, new Date(m.endDate));
    attempt.workerId = m.workerId;
    if (m.error !== undefined && m.state !== 'SUCCESS') attempt.error = m.error;
    if (m.failure) attempt.failure = m.failure;
    if (tr.state.current !== 'RUNNING') transition(tr.state, 'RUNNING', new Date(m.startDate));
    const task = this.task(tr.taskId);
    if (m.state === 'FAILED' && m.failure?.retryable !== false && (await this.retryLater(tr, task, m.error)))
      return;
    tr.outputs = m.outputs && Object.keys(m.outputs).length > 0 ? m.outputs : tr.outputs;
    if (m.labels) this.execution.labels = withLabels(this.execution.labels, m.labels);
    const parent = m.parentOutputs && this.execution.taskRunList.find((r) => r.id === tr.parentTaskRunId);
    if (parent) parent.outputs = { ...parent.outputs, ...m.parentOutputs };
    if (m.error) tr.error = m.error;
    const retried = m.state === 'SUCCESS' && tr.attempts.length > 1 && this.retryPolicy(tr)?.warningOnRetry;
    this.finish(tr, task, retried ? 'WARNING' : m.state);
  }

  /** The retry policy of a task run: its task's own, else the nearest enclosing task's, else the
   * flow's (Kestra lets a retry on a Sequential cover every task inside it). */
  private retryPolicy(tr: TaskRun): RetryDef | undefined {
    const own = this.task(tr.taskId).retry;
    if (own) return own;
    for (const parent of ancestors(this.execution, tr)) {
      const retry = this.tasks.get(parent.taskId)?.retry;
      if (retry) return retry;
    }
    return this.flow.retry;
  }

  /** When the policy allows another try: the run records FAILED then RETRYING (and the execution
   * RETRYING), and a timer brings it back when the interval has passed. */
  private async retryLater(tr: TaskRun, task: TaskDef, error: string | undefined): Promise<boolean> {
    const delay = nextRetryDelay(
      this.retryPolicy(tr),
      Math.max(1, tr.attempts.length),
      Date.parse((tr.attempts[0] ?? tr).state.startDate),
      this.now().getTime(),
      Math.random,
      tr.attempts.map((a) => a.failure?.progress === true),
    );
    if (delay === undefined) return false;
    if (error) tr.error = error;
    transition(tr.state, 'FAILED', this.now());
    transition(tr.state, 'RETRYING', this.now());
    transition(this.execution.state, 'RETRYING', this.now());
    await this.tx.emitExecutor(
      { type: 'timer', executionId: this.execution.id, taskRunId: tr.id, kind: 'retry' },
      delay,
    );
    this.changed = true;
    void task;
    return true;
  }

  private async applyTimer(taskRunId: string, kind: TimerKind): Promise<void> {
    const tr = this.execution.taskRunList.find((r) => r.id === taskRunId);
    if (!tr) return;
    const task = this.task(tr.taskId);
    if (kind === 'flowable') {
      if (isTerminal(tr.state.current)) return;
      await findFlowable(task.type)?.wake?.(tr, task, this.flowableContext);
      // the wait of a flowable is no Pause: the execution goes straight back to RUNNING (Kestra)
      const exec = this.execution;
      if (exec.state.current === 'PAUSED' && !exec.taskRunList.some((r) => r.state.current === 'PAUSED'))
        transition(exec.state, 'RUNNING', this.now());
      return;
    }
    if (kind === 'retry') {
      if (tr.state.current !== 'RETRYING') return;
      if (this.execution.state.current === 'RETRYING')
        transition(this.execution.state, 'RUNNING', this.now());
      transition(tr.state, 'CREATED', this.now());
      tr.error = undefined;
      await this.start(tr, task);
      return;
    }
    if (tr.state.current !== 'PAUSED') return;
    if (kind === 'pause-delay') {
      // back to RUNNING: the walk finishes it, after its `tasks` when it has some
      transition(tr.state, 'RUNNING', this.now());
      this.changed = true;
      return;
    }
    const behavior = (task.behavior as string | undefined) ?? 'FAIL';
    const outcome: Record<string, StateType> = { RESUME: 'SUCCESS', WARN: 'WARNING', CANCEL: 'CANCELLED' };
    tr.error = behavior === 'FAIL' ? `Pause timed out after ${String(task.timeout)}` : undefined;
    this.finish(tr, task, outcome[behavior] ?? 'FAILED');
  }

  private async applySubflowEnded(m: Extract<ExecutorMessage, { type: 'subflow.ended' }>): Promise<void> {
    const tr = this.execution.taskRunList.find((r) => r.id === m.taskRunId);
    if (!tr || isTerminal(tr.state.current)) return;
    const task = this.task(tr.taskId);
    const flowable = findFlowable(task.type);
    if (flowable?.subflowEnded) {
      await flowable.subflowEnded(tr, task, m, this.flowableContext);
      return;
    }
    tr.outputs = { executionId: m.childExecutionId, state: m.state };
    const declared = m.outputs && Object.keys(m.outputs).length > 0 ? m.outputs : undefined;
    // a child without flow outputs can still be read through the Subflow's older `outputs:` map
    const extracted =
      declared ??
      (task.outputs && m.taskOutputs
        ? ((await this.render(task.outputs, { outputs: m.taskOutputs })) as Record<string, unknown>)
        : undefined);
    if (extracted) tr.outputs.outputs = extracted;
    // Kestra's rule: with transmitFailed (the default) the child's end state is the task's; without
    // it the task succeeds whatever the child did.
    let state: StateType = task.transmitFailed === false ? 'SUCCESS' : subflowState(m.state);
    if (isFailure(state)) {
      tr.error = `Subflow execution ${m.childExecutionId} ended ${m.state}`;
      if (state === 'FAILED' && (await this.retryLater(tr, task, tr.error))) return;
    }
    if (state === 'SKIPPED') state = 'SUCCESS';
    this.finish(tr, task, state);
  }

  private resume(inputs: Record<string, unknown>): void {
    for (const tr of this.execution.taskRunList) {
      // a registered flowable that waits (WaitFor) goes on at its own time, not on a resume
      if (tr.state.current !== 'PAUSED' || findFlowable(this.task(tr.taskId).type)) continue;
      transition(tr.state, 'RUNNING', this.now());
      if (Object.keys(inputs).length > 0) tr.outputs = { onResume: inputs };
      this.changed = true;
    }
  }

  /** Restart from the failure, in the same execution: failed or killed task runs start again (a new
   * attempt for runnable ones, a new child for a Subflow), their parents reopen, and the walk
   * carries on from there. Task runs that succeeded are kept as they are. */
  private async restart(): Promise<void> {
    const exec = this.execution;
    if (exec.state.current !== 'FAILED' && exec.state.current !== 'KILLED') return;
    transition(exec.state, 'RESTARTED', this.now());
    transition(exec.state, 'RUNNING', this.now());
    exec.error = undefined;
    for (const tr of exec.taskRunList) {
      if (tr.state.current !== 'FAILED' && tr.state.current !== 'KILLED') continue;
      const task = this.task(tr.taskId);
      transition(tr.state, 'RESTARTED', this.now());
      tr.error = undefined;
      if (!isFlowable(task.type) || task.type === FLOWABLE.subflow || task.type === FLOWABLE.pause) {
        await this.start(tr, task);
      } else {
        transition(tr.state, 'RUNNING', this.now());
      }
    }
    this.changed = true;
  }

  /** Closes every open task run as KILLED, kills running subflows, and tells workers to stop. */
  private kill(): Promise<void> {
    return this.stop('KILLED');
  }

  /** Fails the execution at once, with the reason: what the executor does when deciding its next
   * step threw (a bug, a document it cannot read), as Kestra fails an execution on an executor
   * exception. Its task runs stop as on a kill. */
  failWith(reason: string): Promise<void> {
    this.execution.error = reason;
    return this.stop('FAILED');
  }

  private async stop(final: 'KILLED' | 'FAILED'): Promise<void> {
    const exec = this.execution;
    if (isTerminal(exec.state.current)) return;
    await this.tx.announceKill(exec.id);
    for (const tr of exec.taskRunList) {
      if (isTerminal(tr.state.current)) continue;
      const type = this.tasks.get(tr.taskId)?.type ?? '';
      const child = tr.outputs?.executionId;
      const children =
        type === FLOWABLE.subflow
          ? typeof child === 'string'
            ? [child]
            : []
          : (findFlowable(type)?.childExecutions?.(tr) ?? []);
      for (const id of children) await this.tx.emitExecutor({ type: 'kill', executionId: id });
    }
    closeOpenTaskRuns(exec, final, this.now());
    const held = exec.state.current !== 'QUEUED' && exec.state.current !== 'CREATED';
    transition(exec.state, final, this.now());
    await this.ended(held);
  }

  // ---------------------------------------------------------------- the walk

  private async walkRoot(): Promise<void> {
    const exec = this.execution;
    if (exec.state.current === 'CREATED') await this.startRunning();
    const main = await this.evalList(this.flow.tasks, null, null, 1);
    if (!main.done) return;
    if (isFailure(main.state) && this.flow.errors.length > 0) {
      const errors = await this.evalList(this.flow.errors, null, null, 1);
      if (!errors.done) return;
    }
    let state: StateType = main.state;
    if (this.flow.finally.length > 0) {
      const fin = await this.evalList(this.flow.finally, null, null, 1);
      if (!fin.done) return;
      state = worstState([state, fin.state]);
    }
    transition(exec.state, state, this.now());
    this.changed = true;
    // Kestra renders flow outputs whatever the end state; one that cannot be rendered fails the
    // execution, after the state it would have had
    if (this.flow.outputs.length > 0) {
      try {
        exec.outputs = await this.renderFlowOutputs();
      } catch (error) {
        exec.error = `Failed to render flow outputs: ${message(error)}`;
        transition(exec.state, 'FAILED', this.now());
      }
    }
    this.executionLog(
      'INFO',
      `Flow completed with state ${exec.state.current} in ${humanDuration(exec.state.startDate, exec.state.endDate)}`,
    );
    await this.ended(true);
  }

  /** Values read through secret() and those of SECRET inputs are masked, as a worker masks its task
   * outputs: flow outputs are stored, shown by the API and handed to a parent flow. */
  private async renderFlowOutputs(): Promise<Record<string, unknown>> {
    if (this.opened.failure) throw this.opened.failure;
    const variables = { ...executionVariables(this.flow, this.execution), inputs: this.opened.inputs };
    const raw: Record<string, unknown> = {};
    for (const o of this.flow.outputs) raw[o.id] = await this.render(o.value, variables);
    const defs: InputDef[] = this.flow.outputs.map((o) => ({
      id: o.id,
      type: o.type,
      required: o.required ?? true,
    }));
    // Kestra types flow outputs like inputs but never nests dotted output ids; unlike Kestra, an
    // output typed SECRET is stored masked, not sealed: a secret is never an output
    const { values, errors } = resolveInputs(defs, raw, {
      fromStrings: true,
      nest: false,
      seal: () => REDACTED,
    });
    if (errors.length > 0) throw new Error(this.redactor.text(errors.join('; ')));
    return this.redactor.value(values) as Record<string, unknown>;
  }

  private async notifyParent(): Promise<void> {
    const exec = this.execution;
    const parentTaskRunId = exec.trigger?.variables.taskRunId;
    if (!exec.parentId || typeof parentTaskRunId !== 'string') return;
    const iteration = exec.trigger?.variables.taskRunIteration;
    await this.tx.emitExecutor({
      type: 'subflow.ended',
      executionId: exec.parentId,
      taskRunId: parentTaskRunId,
      childExecutionId: exec.id,
      state: exec.state.current,
      outputs: exec.outputs,
      ...(this.flow.outputs.length === 0 ? { taskOutputs: buildOutputs(exec) } : {}),
      ...(typeof iteration === 'number' ? { iteration } : {}),
    });
  }

  /** A list of sibling tasks under one parent and loop value. concurrency 1 runs them in order and
   * stops at the first failure; otherwise up to `concurrency` at once (0 = all), and a failure stops
   * new ones from starting. */
  private async evalList(
    tasks: TaskDef[],
    parent: TaskRun | null,
    value: string | null,
    concurrency: number,
  ): Promise<ListResult> {
    const active = tasks.filter((t) => !t.disabled);
    const states: StateType[] = [];
    if (concurrency === 1) {
      for (const task of active) {
        const run = await this.runOf(task, parent, value);
        if (!run) {
          await this.createTaskRun(task, parent, value);
          return PENDING;
        }
        if (!isTerminal(run.state.current)) return PENDING;
        if (isFailure(run.state.current)) return { done: true, state: run.state.current };
        states.push(run.state.current);
      }
      return { done: true, state: worstState(states) };
    }
    let running = 0;
    let failed = false;
    const missing: TaskDef[] = [];
    for (const task of active) {
      const run = await this.runOf(task, parent, value);
      if (!run) missing.push(task);
      else if (!isTerminal(run.state.current)) running++;
      else {
        states.push(run.state.current);
        if (isFailure(run.state.current)) failed = true;
      }
    }
    if (!failed) {
      const room = concurrency === 0 ? missing.length : Math.max(0, concurrency - running);
      for (const task of missing.slice(0, room)) {
        await this.createTaskRun(task, parent, value);
        running++;
      }
    }
    if (running > 0 || (!failed && missing.length > 0)) return PENDING;
    return { done: true, state: worstState(states) };
  }

  /** The task run of a task under a parent and value; evaluates it first when it is a running flowable. */
  private async runOf(
    task: TaskDef,
    parent: TaskRun | null,
    value: string | null,
  ): Promise<TaskRun | undefined> {
    const run = this.runs.get(runKey(task.id, parent?.id ?? null, value));
    if (run && isFlowable(task.type) && !isTerminal(run.state.current)) await this.evalFlowable(run, task);
    return run;
  }

  private async createTaskRun(task: TaskDef, parent: TaskRun | null, value: string | null): Promise<TaskRun> {
    const exec = this.execution;
    const tr: TaskRun = {
      id: newId(),
      executionId: exec.id,
      namespace: exec.namespace,
      flowId: exec.flowId,
      taskId: task.id,
      parentTaskRunId: parent?.id ?? null,
      value,
      state: newState(this.now()),
      attempts: [],
      outputs: null,
    };
    exec.taskRunList.push(tr);
    this.runs.set(runKey(tr.taskId, tr.parentTaskRunId, tr.value), tr);
    this.changed = true;

    try {
      if (task.runIf !== undefined && !(await this.holds(task.runIf, this.variables(task, tr)))) {
        transition(tr.state, 'SKIPPED', this.now());
        return tr;
      }
    } catch (error) {
      this.fail(tr, task, message(error));
      return tr;
    }
    await this.start(tr, task);
    return tr;
  }

  /** Starts a created task run: a flowable one here, a runnable one on a worker. */
  private async start(tr: TaskRun, task: TaskDef): Promise<void> {
    this.changed = true;
    try {
      if (isFlowable(task.type)) await this.startFlowable(tr, task);
      else {
        transition(tr.state, 'RUNNING', this.now());
        await this.dispatch(tr, task);
      }
    } catch (error) {
      this.fail(tr, task, message(error));
    }
  }

  private async dispatch(tr: TaskRun, task: TaskDef): Promise<void> {
    tr.attempts.push({ state: newState(this.now(), 'CREATED') });
    const variables = taskRunVariables(this.flow, this.execution, task, tr);
    if (this.execution.taskRunList.some((r) => r.state.current === 'FAILED')) {
      variables.errorLogs = await this.tx.errorLogs(this.execution.id);
    }
    const parent = this.execution.taskRunList.find((r) => r.id === tr.parentTaskRunId);
    const parentTask = parent && this.task(parent.taskId);
    const job: WorkerJob = {
      ...(parent && parentTask && findFlowable(parentTask.type)?.childJob?.(parent, parentTask, task)),
      executionId: this.execution.id,
      taskRunId: tr.id,
      attempt: tr.attempts.length,
      namespace: this.execution.namespace,
      flowId: this.execution.flowId,
      task,
      variables,
      timeoutMs: task.timeout ? parseDuration(task.timeout) : undefined,
    };
    await this.tx.emitWorker(job);
  }

  /** Renders with the executor's services: read() and fileSize() of this execution's files (and its
   * parent's), and kv(), read in this transaction. */
  private render(value: unknown, variables: Record<string, unknown>): Promise<unknown> {
    return renderRecursiveAsync(value, variables, { ...this.renderOptions, services: this.services });
  }

  /** Kestra's rule for conditions (If, runIf…), rendered as above. */
  private async holds(raw: unknown, variables: Record<string, unknown>): Promise<boolean> {
    return isTruthy(typeof raw === 'string' ? await this.render(raw, variables) : raw);
  }

  private variables(task: TaskDef, tr: TaskRun): Record<string, unknown> {
    if (this.opened.failure) throw this.opened.failure;
    return { ...taskRunVariables(this.flow, this.execution, task, tr), inputs: this.opened.inputs };
  }

  /** Closes a task run, applying allowFailure and allowWarning. */
  private finish(tr: TaskRun, task: TaskDef, state: StateType): void {
    let final = state;
    if (final === 'FAILED' && task.allowFailure) final = 'WARNING';
    if (final === 'WARNING' && task.allowWarning) final = 'SUCCESS';
    transition(tr.state, final, this.now());
    for (const a of tr.attempts) if (!isTerminal(a.state.current)) transition(a.state, final, this.now());
    this.changed = true;
  }

  private fail(tr: TaskRun, task: TaskDef, reason: string): void {
    tr.error = reason;
    this.finish(tr, task, 'FAILED');
  }

  // ---------------------------------------------------------------- flowable tasks

  private async startFlowable(tr: TaskRun, task: TaskDef): Promise<void> {
    transition(tr.state, 'RUNNING', this.now());
    const flowable = findFlowable(task.type);
    if (flowable) await flowable.start?.(tr, task, this.flowableContext);
    else if (task.type === FLOWABLE.pause) await this.startPause(tr, task);
    else if (task.type === FLOWABLE.subflow) await this.startSubflow(tr, task);
  }

  private async evalFlowable(run: TaskRun, task: TaskDef): Promise<void> {
    const result = await this.evalChildren(run, task);
    if (!result.done) return;
    let state = result.state;
    const errors = (task.errors as TaskDef[] | undefined) ?? [];
    if (isFailure(state) && errors.length > 0) {
      const handled = await this.evalList(errors, run, null, 1);
      if (!handled.done) return;
    }
    const fin = (task.finally as TaskDef[] | undefined) ?? [];
    if (fin.length > 0) {
      const finished = await this.evalList(fin, run, null, 1);
      if (!finished.done) return;
      state = worstState([state, finished.state]);
    }
    if (task.type === FLOWABLE.allowFailure && isFailure(state)) state = 'WARNING';
    this.finish(run, task, state);
  }

  private async evalChildren(run: TaskRun, task: TaskDef): Promise<ListResult> {
    const flowable = findFlowable(task.type);
    if (flowable) return flowable.next(run, task, this.flowableContext);
    const tasks = (task.tasks as TaskDef[] | undefined) ?? [];
    switch (task.type) {
      case FLOWABLE.allowFailure:
        return this.evalList(tasks, run, null, 1);
      case FLOWABLE.switch:
        return this.evalSwitch(run, task);
      case FLOWABLE.forEach:
        return this.evalLoop(
          run,
          task,
          task.values,
          await this.intProperty(task.concurrencyLimit, run, task, 1),
          1,
        );
      case FLOWABLE.eachSequential:
        return this.evalLoop(run, task, task.value, 1, 1);
      case FLOWABLE.eachParallel:
        return this.evalLoop(run, task, task.value, 0, await this.intProperty(task.concurrent, run, task, 0));
      case FLOWABLE.dag:
        return this.evalDag(run, task);
      case FLOWABLE.pause:
        // once resumed (or its delay passed), a Pause runs its older-style `tasks`, if any
        return run.state.current === 'PAUSED' ? PENDING : this.evalList(tasks, run, null, 1);
      default:
        // a Subflow ends through its child's subflow.ended message
        return PENDING;
    }
  }

  private async intProperty(raw: unknown, run: TaskRun, task: TaskDef, fallback: number): Promise<number> {
    if (raw === undefined || raw === null) return fallback;
    const value = typeof raw === 'number' ? raw : Number(await this.render(raw, this.variables(task, run)));
    if (!Number.isInteger(value) || value < 0)
      throw new Error(`expected a non-negative integer, got ${String(raw)}`);
    return value;
  }

  private async evalSwitch(run: TaskRun, task: TaskDef): Promise<ListResult> {
    const cases = (task.cases as Record<string, TaskDef[]> | undefined) ?? {};
    const defaults = (task.defaults as TaskDef[] | undefined) ?? [];
    if (run.branch === undefined) {
      let value: string;
      try {
        value = String(await this.render(task.value, this.variables(task, run)));
      } catch (error) {
        run.error = message(error);
        return { done: true, state: 'FAILED' };
      }
      const matched = Object.hasOwn(cases, value);
      if (!matched && defaults.length === 0) {
        run.error = this.redactor.text(`Switch value '${value}' matches no case and there are no defaults`);
        return { done: true, state: 'FAILED' };
      }
      run.branch = matched ? `case:${value}` : 'defaults';
      run.outputs = { value: this.redactor.value(value), defaults: !matched };
      this.changed = true;
    }
    const list = run.branch === 'defaults' ? defaults : cases[run.branch.slice('case:'.length)];
    return this.evalList(list, run, null, 1);
  }

  /** ForEach and the older Each* tasks: the child tasks run once per value, with that value on the
   * direct children. `iterations` bounds how many values are in flight (0 = all); `perIteration` is
   * the concurrency of the tasks within one value. */
  private async evalLoop(
    run: TaskRun,
    task: TaskDef,
    rawValues: unknown,
    iterations: number,
    perIteration: number,
  ): Promise<ListResult> {
    if (!run.items) {
      try {
        run.items = loopItems(await this.render(rawValues, this.variables(task, run)));
      } catch (error) {
        run.error = message(error);
        return { done: true, state: 'FAILED' };
      }
      this.changed = true;
    }
    const tasks = ((task.tasks as TaskDef[] | undefined) ?? []).filter((t) => !t.disabled);
    const states: StateType[] = [];
    const notStarted: string[] = [];
    let inFlight = 0;
    let failed = false;
    for (const item of run.items) {
      const started = tasks.some((t) => this.runs.has(runKey(t.id, run.id, item)));
      if (!started) {
        notStarted.push(item);
        continue;
      }
      const result = await this.evalList(tasks, run, item, perIteration);
      if (!result.done) inFlight++;
      else {
        states.push(result.state);
        if (isFailure(result.state)) failed = true;
      }
    }
    if (!failed) {
      const room = iterations === 0 ? notStarted.length : Math.max(0, iterations - inFlight);
      for (const item of notStarted.slice(0, room)) {
        const result = await this.evalList(tasks, run, item, perIteration);
        if (!result.done) inFlight++;
        else states.push(result.state);
      }
    }
    if (inFlight > 0 || (!failed && states.length < run.items.length)) return PENDING;
    return { done: true, state: worstState(states) };
  }

  private async evalDag(run: TaskRun, task: TaskDef): Promise<ListResult> {
    const nodes = ((task.tasks as Array<{ task: TaskDef; dependsOn?: string[] }> | undefined) ?? []).filter(
      (n) => !n.task.disabled,
    );
    const limit = await this.intProperty(task.concurrent, run, task, 0);
    const stateOf = new Map<string, StateType | undefined>();
    let running = 0;
    let failed = false;
    for (const node of nodes) {
      const r = await this.runOf(node.task, run, null);
      stateOf.set(node.task.id, r?.state.current);
      if (r && !isTerminal(r.state.current)) running++;
      if (r && isFailure(r.state.current)) failed = true;
    }
    if (!failed) {
      for (const node of nodes) {
        if (stateOf.get(node.task.id) !== undefined) continue;
        if (limit > 0 && running >= limit) break;
        const ready = (node.dependsOn ?? []).every((dep) => {
          const s = stateOf.get(dep);
          return s !== undefined && isTerminal(s) && !isFailure(s);
        });
        if (!ready) continue;
        const created = await this.createTaskRun(node.task, run, null);
        stateOf.set(node.task.id, created.state.current);
        if (!isTerminal(created.state.current)) running++;
      }
    }
    const states = [...stateOf.values()];
    if (running > 0) return PENDING;
    if (!failed && states.some((s) => s === undefined)) return PENDING;
    return { done: true, state: worstState(states.filter((s): s is StateType => s !== undefined)) };
  }

  private async startPause(tr: TaskRun, task: TaskDef): Promise<void> {
    const delay = (task.delay ?? task.pauseDuration) as string | undefined;
    transition(tr.state, 'PAUSED', this.now());
    if (delay) {
      await this.tx.emitExecutor(
        { type: 'timer', executionId: this.execution.id, taskRunId: tr.id, kind: 'pause-delay' },
        parseDuration(delay),
      );
    } else if (typeof task.timeout === 'string') {
      await this.tx.emitExecutor(
        { type: 'timer', executionId: this.execution.id, taskRunId: tr.id, kind: 'pause-timeout' },
        parseDuration(task.timeout),
      );
    }
  }

  private async startSubflow(tr: TaskRun, task: TaskDef): Promise<void> {
    const id = await this.createSubflowExecution(tr, task, {
      namespace: String(task.namespace),
      flowId: String(task.flowId),
      revision: typeof task.revision === 'number' ? task.revision : undefined,
      inputs: task.inputs,
      labels: task.labels,
      inheritLabels: task.inheritLabels === true,
    });
    // like Kestra's executable tasks, a Subflow run has one attempt spanning the child execution
    tr.attempts.push({ state: newState(this.now(), 'RUNNING') });
    tr.outputs = { executionId: id };
    if (task.wait === false) {
      tr.outputs.state = 'CREATED';
      this.finish(tr, task, 'SUCCESS');
    }
  }

  /** Creates and queues a child execution of another flow for a task run (Subflow, ForEachItem). */
  private async createSubflowExecution(tr: TaskRun, task: TaskDef, request: SubflowRequest): Promise<string> {
    const { namespace, flowId } = request;
    const child = await this.tx.getFlow(namespace, flowId, request.revision);
    if (!child) throw new Error(`Unable to find flow '${namespace}.${flowId}'`);
    const own = this.variables(task, tr);
    const variables = request.variables
      ? {
          ...own,
          ...request.variables,
          taskrun: { ...(own.taskrun as object), ...(request.variables.taskrun as object) },
        }
      : own;
    const rendered = ((await this.render(request.inputs ?? {}, variables)) ?? {}) as Record<string, unknown>;
    // a secret passed down stays sealed: the child must take it in a SECRET input
    const { values, errors } = resolveInputs(child.inputs, rendered, {
      seal: this.inputSeal?.seal,
      holdsSecret: (value) => this.redactor.finds(value),
    });
    if (errors.length > 0) {
      const reasons = this.redactor.text(errors.join('; '));
      throw new Error(`Invalid inputs for subflow '${namespace}.${flowId}': ${reasons}`);
    }
    // system labels (the correlation id) always pass to a child; the others with inheritLabels
    const inherited = this.execution.labels.filter(
      (l) => request.inheritLabels === true || l.key.startsWith('system.'),
    );
    const labels = {
      ...Object.fromEntries(inherited.map((l) => [l.key, l.value])),
      ...(this.redactor.value((await this.render(request.labels ?? {}, variables)) ?? {}) as Record<
        string,
        unknown
      >),
    };
    const execution = newExecution(child, values, {
      labels: Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)])),
      parentId: this.execution.id,
      trigger: {
        id: task.id,
        type: task.type,
        variables: {
          executionId: this.execution.id,
          namespace: this.execution.namespace,
          flowId: this.execution.flowId,
          flowRevision: this.execution.flowRevision,
          taskRunId: tr.id,
          taskId: tr.taskId,
          ...(tr.value !== null ? { taskRunValue: tr.value } : {}),
          ...request.trigger,
        },
      },
    });
    await this.tx.createExecution(execution);
    await this.tx.emitExecutor({ type: 'execution.created', executionId: execution.id });
    return execution.id;
  }

  private updatePausedState(): void {
    const exec = this.execution;
    if (isTerminal(exec.state.current) || exec.state.current === 'PAUSED') return;
    if (exec.taskRunList.some((tr) => tr.state.current === 'PAUSED'))
      transition(exec.state, 'PAUSED', this.now());
  }

  /** Once nothing is paused any more, the execution restarts (Kestra: PAUSED → RESTARTED → RUNNING). */
  private leavePausedState(): void {
    const exec = this.execution;
    if (exec.state.current !== 'PAUSED' || exec.taskRunList.some((tr) => tr.state.current === 'PAUSED'))
      return;
    transition(exec.state, 'RESTARTED', this.now());
    transition(exec.state, 'RUNNING', this.now());
  }

  private task(id: string): TaskDef {
    const task = this.tasks.get(id);
    if (!task) throw new Error(`task '${id}' is not in flow ${this.flow.namespace}.${this.flow.id}`);
    return task;
  }
}

function runKey(taskId: string, parentId: string | null, value: string | null): string {
  return `${taskId}\u0000${parentId ?? ''}\u0000${value ?? '\u0001'}`;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A loop's values as strings: a list, or a string holding a JSON list. Maps become compact JSON;
 * a null or otherwise unusable item fails the loop before anything runs (Kestra). */
export function loopItems(value: unknown): string[] {
  let list = value;
  if (typeof list === 'string') {
    try {
      list = JSON.parse(list);
    } catch {
      throw new Error(`loop values must be a list or a JSON list, got '${value}'`);
    }
  }
  if (!Array.isArray(list)) throw new Error(`loop values must be a list, got ${JSON.stringify(value)}`);
  return list.map((item, i) => {
    if (item === null || item === undefined) throw new Error(`loop value at index ${i} is null`);
    // Kestra accepts strings, whole numbers and maps, and refuses anything else before running
    if (typeof item === 'string' || Number.isInteger(item)) return String(item);
    if (typeof item === 'object' && !Array.isArray(item)) return JSON.stringify(item);
    throw new Error(
      `loop value at index ${i} is ${JSON.stringify(item)}: expected a string, a whole number or a map`,
    );
  });
}

/** A Subflow task's state from its child's end state (transmitFailed): failures and warnings pass
 * through, a kill stays a kill, anything else ended well. */
function subflowState(child: StateType): StateType {
  if (child === 'WARNING' || child === 'KILLED') return child;
  return isFailure(child) ? 'FAILED' : 'SUCCESS';
}

/** Kestra's State.humanDuration (commons-lang's formatDurationHMS): `H:mm:ss.SSS`. */
export function humanDuration(start: string, end: string | undefined): string {
  const ms = Math.max(0, Date.parse(end ?? start) - Date.parse(start));
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor(ms / 60_000) % 60;
  const seconds = Math.floor(ms / 1000) % 60;
  return `${hours}:${pad(minutes, 2)}:${pad(seconds, 2)}.${pad(ms % 1000, 3)}`;
}
