import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { TaskDef } from '../../flow/model.js';
import type { RunContext, RunnableTask, TaskResult } from '../types.js';
import type { LinePiece } from './lines.js';
import { ScriptLogConsumer } from './log-consumer.js';
import { runNodeScript, runsWithoutShell } from './node-runner.js';
import { DEFAULT_KILL_GRACE_MS, runProcess } from './process.js';
import { booleanProp, type Props, renderProps, stringList, stringMap } from './props.js';
import { copyNamespaceFiles } from './namespace-files.js';
import { storeOutputFiles, workingDirPath, writeInputFiles } from './working-dir.js';

// Sluice runs every script as a process on the worker's host. The container properties of Kestra's
// script tasks (containerImage, taskRunner, docker, targetOS) are accepted so that Kestra flows load
// unchanged, but nothing reads them: there is no container runtime here.

export interface ScriptTaskOptions {
  /** time between SIGTERM and SIGKILL when the task is killed or times out */
  killGraceMs?: number;
}

/** Kestra's default: any stderr output makes the task WARNING unless the flow says otherwise. */
export const DEFAULT_WARNING_ON_STDERR = true;
const DEFAULT_INTERPRETER = ['/bin/sh', '-c'];
const COMMON_PROPS = [
  'beforeCommands',
  'env',
  'interpreter',
  'failFast',
  'inputFiles',
  'namespaceFiles',
  'outputFiles',
  'warningOnStdErr',
];

/** What one script task type adds to the common behaviour. */
export interface ScriptPlan {
  /** lines run by the interpreter after beforeCommands */
  commands: string[];
  /** files to write into the working directory first (the script itself); never output files */
  files?: Record<string, string>;
  /** directories put first on PATH */
  pathPrefix?: string[];
  /** environment variables the interpreter needs; the flow's own `env` wins over them */
  env?: Record<string, string>;
  /** when the commands are only `node <this file>`: a Node process started ahead may run it */
  nodeMain?: string;
}

export interface ScriptTaskType {
  /** properties of this type, besides the common ones, to render */
  props: readonly string[];
  plan(props: Props): ScriptPlan | Promise<ScriptPlan>;
}

/** A fresh name for a file the task writes for itself, so it cannot collide with an input file. */
export function internalFileName(extension: string): string {
  return `.sluice-${randomBytes(6).toString('hex')}${extension}`;
}

/** A runnable script task of one type; the grace period is an option so tests need not wait 5 s. */
export class ScriptTask implements RunnableTask {
  constructor(
    private readonly type: ScriptTaskType,
    private readonly options: ScriptTaskOptions = {},
  ) {}

  run(task: TaskDef, ctx: RunContext): Promise<TaskResult> {
    return runScriptTask(task, ctx, this.type, this.options);
  }
}

/** The non-empty list of lines a task property holds. */
export function requiredLines(props: Props, name: string): string[] {
  const lines = stringList(props, name);
  if (lines.length === 0) throw new Error(`property '${name}' is required`);
  return lines;
}

/** Quotes a word for a POSIX shell. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}

async function runScriptTask(
  task: TaskDef,
  ctx: RunContext,
  type: ScriptTaskType,
  options: ScriptTaskOptions,
): Promise<TaskResult> {
  const props = await renderProps(task, [...COMMON_PROPS, ...type.props], (value) => ctx.render(value));
  const interpreter = stringList(props, 'interpreter');
  const outputPatterns = stringList(props, 'outputFiles').map((p) => workingDirPath(p, 'outputFiles'));
  const warningOnStdErr = booleanProp(props, 'warningOnStdErr', DEFAULT_WARNING_ON_STDERR);
  const plan = await type.plan(props);
  const beforeCommands = stringList(props, 'beforeCommands');
  const script = [
    // Kestra runs shell lines with `set -e` unless failFast is false, so a failing line fails the task.
    ...(booleanProp(props, 'failFast', true) ? ['set -e'] : []),
    ...beforeCommands,
    ...plan.commands,
  ].join('\n');
  const env = processEnv({ ...plan.env, ...stringMap(props, 'env') }, plan.pathPrefix ?? []);
  if (ctx.signal.aborted) throw killedError(ctx.signal);

  const workDir = await ctx.workingDirectory();
  // namespace files first: inputFiles of the same name replace them, as in Kestra
  const fromNamespace = await copyNamespaceFiles(ctx, workDir, props.namespaceFiles);
  if (fromNamespace > 0)
    ctx.logger.debug(`${fromNamespace} namespace files copied into the working directory`);
  await writeInputFiles(ctx, workDir, props.inputFiles);
  for (const [name, content] of Object.entries(plan.files ?? {})) {
    await writeFile(join(workDir, name), content);
  }

  const consumer = new ScriptLogConsumer(ctx.logger);
  const watch = {
    signal: ctx.signal,
    killGraceMs: options.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
    onStdoutLine: (line: string, piece?: LinePiece) => consumer.accept(line, false, piece),
    onStderrLine: (line: string, piece?: LinePiece) => consumer.accept(line, true, piece),
  };
  // the shell would only start node: a Node process started ahead runs the script the same, sooner
  const result =
    plan.nodeMain !== undefined &&
    beforeCommands.length === 0 &&
    interpreter.length === 0 &&
    runsWithoutShell(env)
      ? await runNodeScript(
          { ...watch, script: `./${plan.nodeMain}`, cwd: workDir, env },
          processEnv({}, plan.pathPrefix ?? []),
        )
      : await runProcess({
          ...watch,
          argv: [...(interpreter.length > 0 ? interpreter : DEFAULT_INTERPRETER), script],
          cwd: workDir,
          env,
        });
  if (result.aborted) throw killedError(ctx.signal);
  if (result.exitSignal) throw new Error(`Command failed: the process was ended by ${result.exitSignal}`);
  if (result.exitCode !== 0) throw new Error(`Command failed with exit code ${result.exitCode}`);
  const problem = consumer.problem();
  if (problem) throw new Error(problem);

  const outputFiles = await storeOutputFiles(
    ctx,
    workDir,
    outputPatterns,
    new Set(Object.keys(plan.files ?? {})),
  );
  return {
    outputs: { vars: consumer.vars, exitCode: 0, outputFiles },
    state: warningOnStdErr && consumer.stderrLines > 0 ? 'WARNING' : 'SUCCESS',
  };
}

/** Only what a script needs to find its tools and speak the right language: the worker's own
 * environment may hold database URLs and keys that are none of a flow's business. */
function processEnv(env: Record<string, string>, pathPrefix: readonly string[]): Record<string, string> {
  const inherited: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'LANG']) {
    const value = process.env[name];
    if (value !== undefined) inherited[name] = value;
  }
  const merged = { ...inherited, ...env };
  if (pathPrefix.length > 0) merged.PATH = [...pathPrefix, merged.PATH ?? ''].filter(Boolean).join(':');
  return merged;
}

function killedError(signal: AbortSignal): Error {
  const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? 'aborted');
  return new Error(`Script killed: ${reason}`);
}

/** The directory of the Node that runs Sluice, so that `node`, `npm` and `npx` in a script are it. */
export const nodeBinDir = dirname(process.execPath);
