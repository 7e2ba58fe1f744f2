import { readFileSync } from 'node:fs';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { TaskDef } from '../../../src/flow/model.js';
import type { TaskResult } from '../../../src/tasks/types.js';
import { createNodeCommands, NODE_COMMANDS_TYPE } from '../../../src/tasks/script/node-commands.js';
import { createNodeScript, NODE_SCRIPT_TYPE } from '../../../src/tasks/script/node-script.js';
import { createShellCommands, SHELL_COMMANDS_TYPE } from '../../../src/tasks/script/shell-commands.js';
import { createShellScript, SHELL_SCRIPT_TYPE } from '../../../src/tasks/script/shell-script.js';
import { createTestRunContext, type TestRunContext } from '../../support/run-context.js';
import { until } from '../../support/until.js';

let t: TestRunContext;

beforeEach(async () => {
  t = await createTestRunContext();
});

afterEach(async () => {
  await t.cleanup();
});

const shell = createShellCommands();

function commandsTask(commands: string[], props: Record<string, unknown> = {}): TaskDef {
  return { id: 'sh', type: SHELL_COMMANDS_TYPE, commands, ...props };
}

function outputFilesOf(result: TaskResult): Record<string, string> {
  return (result.outputs?.outputFiles ?? {}) as Record<string, string>;
}

function messages(level?: string): string[] {
  return t.logs.filter((l) => level === undefined || l.level === level).map((l) => l.message);
}

/** A pid counts as gone once it no longer exists or is a zombie nobody reaped yet (in a container the
 * init process may not reap orphans quickly). */
/**
 * A killed process closes its pipes while the kernel is still tearing it down, so its death is seen
 * a moment after the task returns: wait for it, but far less than the 60 s it would otherwise live.
 */
async function untilDead(...pids: number[]): Promise<void> {
  await until(`pids ${pids.join(', ')} gone`, () => pids.every((pid) => !isAlive(pid)), 2000);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function waitForLog(pattern: RegExp): Promise<RegExpExecArray> {
  for (let i = 0; i < 200; i++) {
    for (const line of t.logs) {
      const match = pattern.exec(line.message);
      if (match) return match;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no log line matched ${pattern}`);
}

describe('shell Commands', () => {
  test('env properties reach the process', async () => {
    await shell.run(commandsTask(['echo "greeting=$GREETING"'], { env: { GREETING: 'hello' } }), t.ctx);
    expect(messages('INFO')).toEqual(['greeting=hello']);
  });

  test("the worker's environment beyond PATH, HOME and LANG is not passed on", async () => {
    process.env.SLUICE_TEST_SECRET = 'leaked';
    try {
      await shell.run(commandsTask(['echo "secret=$SLUICE_TEST_SECRET"']), t.ctx);
    } finally {
      delete process.env.SLUICE_TEST_SECRET;
    }
    expect(messages('INFO')).toEqual(['secret=']);
  });

  test('beforeCommands run before commands', async () => {
    await shell.run(commandsTask(['echo second'], { beforeCommands: ['echo first'] }), t.ctx);
    expect(messages('INFO')).toEqual(['first', 'second']);
  });

  test('commands run in the working directory', async () => {
    await shell.run(commandsTask(['pwd']), t.ctx);
    expect(messages('INFO')[0]).toMatch(/\/work-[^/]+$/);
  });

  test('a non-zero exit code fails the task with that code', async () => {
    await expect(shell.run(commandsTask(['exit 3']), t.ctx)).rejects.toThrow(
      'Command failed with exit code 3',
    );
  });

  test('a failing command stops the rest (set -e)', async () => {
    await shell.run(commandsTask(['false', 'echo unreachable']), t.ctx).catch(() => undefined);
    expect(messages()).not.toContain('unreachable');
  });

  test('failFast false runs every command and the last one decides', async () => {
    const result = await shell.run(commandsTask(['false', 'echo reached'], { failFast: false }), t.ctx);
    expect(result.outputs?.exitCode).toBe(0);
  });

  test('stdout lines are logged as INFO and stderr lines as WARN', async () => {
    await shell.run(commandsTask(['echo out', 'echo err >&2'], { warningOnStdErr: false }), t.ctx);
    expect(t.logs).toEqual([
      { level: 'INFO', message: 'out' },
      { level: 'WARN', message: 'err' },
    ]);
  });

  test('stderr output makes the task WARNING by default', async () => {
    const result = await shell.run(commandsTask(['echo err >&2']), t.ctx);
    expect(result.state).toBe('WARNING');
  });

  test('warningOnStdErr false keeps the task SUCCESS despite stderr output', async () => {
    const result = await shell.run(commandsTask(['echo err >&2'], { warningOnStdErr: 'false' }), t.ctx);
    expect(result.state).toBe('SUCCESS');
  });

  test('a line longer than a pipe buffer is logged whole', async () => {
    await shell.run(commandsTask(['head -c 300000 /dev/zero | tr "\\0" x; echo']), t.ctx);
    expect(messages('INFO')).toEqual(['x'.repeat(300000)]);
  });

  test('an unknown interpreter fails the task saying it cannot start', async () => {
    await expect(
      shell.run(commandsTask(['true'], { interpreter: ['/no/such/shell', '-c'] }), t.ctx),
    ).rejects.toThrow('cannot start /no/such/shell');
  });

  test('the result has Kestra script outputs: vars, exitCode, outputFiles', async () => {
    const result = await shell.run(commandsTask(['true']), t.ctx);
    expect(result.outputs).toEqual({ vars: {}, exitCode: 0, outputFiles: {} });
  });
});

describe('the ::{}:: protocol', () => {
  test('outputs lines are merged deeply into vars', async () => {
    const result = await shell.run(
      commandsTask([
        `echo '::{"outputs":{"count":1,"nested":{"a":1}}}::'`,
        `echo '::{"outputs":{"nested":{"b":[1,2]}}}::'`,
      ]),
      t.ctx,
    );
    expect(result.outputs?.vars).toEqual({ count: 1, nested: { a: 1, b: [1, 2] } });
  });

  test('outputs lines are not logged', async () => {
    await shell.run(commandsTask([`echo '::{"outputs":{"count":1}}::'`]), t.ctx);
    expect(t.logs).toEqual([]);
  });

  test('logs lines are logged with their level', async () => {
    await shell.run(commandsTask([`echo '::{"logs":[{"level":"ERROR","message":"boom"}]}::'`]), t.ctx);
    expect(t.logs).toEqual([{ level: 'ERROR', message: 'boom' }]);
  });

  test('metrics lines are accepted and not logged', async () => {
    await shell.run(
      commandsTask([`echo '::{"metrics":[{"name":"n","type":"counter","value":1}]}::'`]),
      t.ctx,
    );
    expect(t.logs).toEqual([]);
  });

  test('a malformed protocol line is logged as-is', async () => {
    await shell.run(commandsTask([`echo '::{"outputs":::'`]), t.ctx);
    expect(messages('INFO')).toEqual(['::{"outputs":::']);
  });

  test('a __proto__ key in outputs stays data', async () => {
    const result = await shell.run(
      commandsTask([`echo '::{"outputs":{"__proto__":{"polluted":true}}}::'`]),
      t.ctx,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(result.outputs?.vars as object, '__proto__')).toBe(true);
  });
});

describe('files', () => {
  test('outputFiles globs are stored and readable back by name', async () => {
    const result = await shell.run(
      commandsTask(['mkdir -p out/sub', 'echo a > out/a.csv', 'echo b > out/sub/b.csv', 'echo c > c.txt'], {
        outputFiles: ['**/*.csv'],
      }),
      t.ctx,
    );
    const files = outputFilesOf(result);
    expect(Object.keys(files)).toEqual(['out/a.csv', 'out/sub/b.csv']);
    expect(await text(await t.storage.get(files['out/sub/b.csv']))).toBe('b\n');
  });

  test('outputFiles are stored under the task run in storage', async () => {
    const result = await shell.run(commandsTask(['echo x > x.txt'], { outputFiles: ['x.txt'] }), t.ctx);
    const { namespace, flowId, id } = t.ctx.execution;
    expect(outputFilesOf(result)['x.txt']).toBe(
      `sluice:///${namespace.replaceAll('.', '/')}/${flowId}/executions/${id}/tasks/${t.ctx.taskRun.taskId}/${t.ctx.taskRun.id}/x.txt`,
    );
  });

  test('an outputFiles pattern climbing out of the working directory is refused', async () => {
    await expect(shell.run(commandsTask(['true'], { outputFiles: ['../*'] }), t.ctx)).rejects.toThrow(
      "'..' segments",
    );
  });

  test('inputFiles contents are written before the commands run', async () => {
    await shell.run(
      commandsTask(['cat in/data.txt'], { inputFiles: { 'in/data.txt': 'from content' } }),
      t.ctx,
    );
    expect(messages('INFO')).toEqual(['from content']);
  });

  test('inputFiles given as a JSON string are written too', async () => {
    await shell.run(commandsTask(['cat a.txt'], { inputFiles: '{"a.txt": "from json"}' }), t.ctx);
    expect(messages('INFO')).toEqual(['from json']);
  });

  test('an inputFiles content that is a sluice URI is copied from storage', async () => {
    const uri = await t.storage.put('elsewhere/stored.txt', 'from storage');
    await shell.run(commandsTask(['cat copy.txt'], { inputFiles: { 'copy.txt': uri } }), t.ctx);
    expect(messages('INFO')).toEqual(['from storage']);
  });

  test('an inputFiles name climbing out of the working directory is refused', async () => {
    await expect(
      shell.run(commandsTask(['true'], { inputFiles: { '../evil.txt': 'x' } }), t.ctx),
    ).rejects.toThrow("'..' segments");
  });
});

describe('processes', () => {
  test('a kill terminates the whole process group with SIGTERM, within the grace period', async () => {
    const graceful = createShellCommands({ killGraceMs: 4000 });
    const running = graceful.run(commandsTask(['sleep 60 & echo "pids $$ $!"', 'wait']), t.ctx);
    const [, shellPid, sleepPid] = (await waitForLog(/^pids (\d+) (\d+)$/)).map(Number);
    const started = Date.now();
    t.abort();
    await expect(running).rejects.toThrow('Script killed');
    expect(Date.now() - started).toBeLessThan(4000);
    await untilDead(shellPid, sleepPid);
  });

  test('processes ignoring SIGTERM are SIGKILLed after the grace period', async () => {
    const impatient = createShellCommands({ killGraceMs: 300 });
    const running = impatient.run(
      commandsTask(["trap '' TERM", 'sleep 60 & echo "pids $$ $!"', 'wait']),
      t.ctx,
    );
    const [, shellPid, sleepPid] = (await waitForLog(/^pids (\d+) (\d+)$/)).map(Number);
    t.abort();
    await expect(running).rejects.toThrow('Script killed');
    await untilDead(shellPid, sleepPid);
  });

  test('the kill error names the abort reason', async () => {
    const running = shell.run(commandsTask(['echo started', 'sleep 60']), t.ctx);
    await waitForLog(/^started$/);
    t.abort('timeout PT1S exceeded');
    await expect(running).rejects.toThrow('timeout PT1S exceeded');
  });

  test('a task aborted before it starts runs nothing', async () => {
    t.abort();
    await expect(shell.run(commandsTask(['echo ran']), t.ctx)).rejects.toThrow('Script killed');
    expect(t.logs).toEqual([]);
  });

  test('a background process left running when the script ends is killed', async () => {
    const result = await shell.run(commandsTask(['sleep 60 & echo "bg $!"']), t.ctx);
    const sleepPid = Number((await waitForLog(/^bg (\d+)$/))[1]);
    expect(result.outputs?.exitCode).toBe(0);
    await untilDead(sleepPid);
  });
});

describe('shell Script', () => {
  test('the script runs after beforeCommands', async () => {
    await createShellScript().run(
      { id: 's', type: SHELL_SCRIPT_TYPE, beforeCommands: ['X=1'], script: 'echo "x=$X"\necho done' },
      t.ctx,
    );
    expect(messages('INFO')).toEqual(['x=1', 'done']);
  });
});

describe('node', () => {
  test('a node Script in CommonJS runs and sends outputs', async () => {
    const script = `const os = require('node:os');\nconsole.log('::' + JSON.stringify({ outputs: { platform: os.platform() } }) + '::');`;
    const result = await createNodeScript().run({ id: 'n', type: NODE_SCRIPT_TYPE, script }, t.ctx);
    expect(result.outputs?.vars).toEqual({ platform: process.platform });
  });

  test('a node Script using import syntax runs as an ES module', async () => {
    const script = `import { platform } from 'node:os';\nconsole.log(platform());`;
    await createNodeScript().run({ id: 'n', type: NODE_SCRIPT_TYPE, script }, t.ctx);
    expect(messages('INFO')).toEqual([process.platform]);
  });

  test('the node Script file is not taken as an output file', async () => {
    const result = await createNodeScript().run(
      {
        id: 'n',
        type: NODE_SCRIPT_TYPE,
        script: "require('node:fs').writeFileSync('r.js', '')",
        outputFiles: ['*.js'],
      },
      t.ctx,
    );
    expect(Object.keys(outputFilesOf(result))).toEqual(['r.js']);
  });

  test('a failing node Script fails the task with its exit code', async () => {
    await expect(
      createNodeScript().run({ id: 'n', type: NODE_SCRIPT_TYPE, script: 'process.exit(4)' }, t.ctx),
    ).rejects.toThrow('Command failed with exit code 4');
  });

  test('a node Script killed by a signal fails with 128 + its number, as under a shell', async () => {
    await expect(
      createNodeScript().run(
        { id: 'n', type: NODE_SCRIPT_TYPE, script: "process.kill(process.pid, 'SIGKILL')" },
        t.ctx,
      ),
    ).rejects.toThrow('Command failed with exit code 137');
  });

  test('an uncaught error in a node Script exits 1 with its stack on stderr', async () => {
    const script = "function f() { throw new Error('boom'); }\nf();";
    await expect(createNodeScript().run({ id: 'n', type: NODE_SCRIPT_TYPE, script }, t.ctx)).rejects.toThrow(
      'Command failed with exit code 1',
    );
    expect(messages('WARN')).toContain('Error: boom');
  });

  test('a node Script is the main module of its process, as `node ./file.js` makes it', async () => {
    const script = `console.log(JSON.stringify({ main: require.main === module, argv: process.argv, execArgv: process.execArgv, cwd: process.cwd(), file: __filename }));`;
    await createNodeScript().run({ id: 'n', type: NODE_SCRIPT_TYPE, script }, t.ctx);
    const seen = JSON.parse(messages('INFO')[0]) as Record<string, unknown>;
    const cwd = seen.cwd as string;
    expect(seen).toEqual({
      main: true,
      argv: [process.execPath, seen.file],
      execArgv: [],
      cwd,
      file: expect.stringMatching(new RegExp(`^${cwd}/\\.sluice-[0-9a-f]+\\.js$`)),
    });
  });

  test('a node Script sees its env, PATH, HOME and LANG, and PWD as the shell sets it', async () => {
    const result = await createNodeScript().run(
      {
        id: 'n',
        type: NODE_SCRIPT_TYPE,
        env: { GREETING: 'hello' },
        script: `console.log('::' + JSON.stringify({ outputs: { env: process.env, cwd: process.cwd() } }) + '::');`,
      },
      t.ctx,
    );
    const { env, cwd } = result.outputs?.vars as { env: Record<string, string>; cwd: string };
    const inherited = ['PATH', 'HOME', 'LANG'].filter((name) => process.env[name] !== undefined);
    expect(Object.keys(env).sort()).toEqual([...inherited, 'GREETING', 'PWD'].sort());
    expect(env).toMatchObject({ GREETING: 'hello', PWD: cwd });
  });

  test('a PWD in the env of a node Script is replaced by its directory, as the shell does', async () => {
    const script = 'console.log(process.env.PWD === process.cwd())';
    await createNodeScript().run({ id: 'n', type: NODE_SCRIPT_TYPE, env: { PWD: '/' }, script }, t.ctx);
    expect(messages('INFO')).toEqual(['true']);
  });

  test('an env variable Node reads at start (NODE_OPTIONS) reaches a node Script', async () => {
    await createNodeScript().run(
      {
        id: 'n',
        type: NODE_SCRIPT_TYPE,
        env: { NODE_OPTIONS: '--title=sluice-probe' },
        script: 'console.log(process.title)',
      },
      t.ctx,
    );
    expect(messages('INFO')).toEqual(['sluice-probe']);
  });

  test('a node Script after another runs in a process started before it was asked for', async () => {
    const node = createNodeScript();
    await node.run({ id: 'n', type: NODE_SCRIPT_TYPE, script: 'console.log(1)' }, t.ctx);
    const asked = Date.now();
    await node.run({ id: 'n', type: NODE_SCRIPT_TYPE, script: 'console.log(performance.timeOrigin)' }, t.ctx);
    expect(Number(messages('INFO')[1])).toBeLessThan(asked);
  });

  test("no earlier node Script's env is readable from a later one's process", async () => {
    const node = createNodeScript();
    const secret = 'x'.repeat(8) + Math.random().toString(36).slice(2);
    await node.run({ id: 'n', type: NODE_SCRIPT_TYPE, env: { EARLIER: secret }, script: 'void 0' }, t.ctx);
    await node.run(
      {
        id: 'n',
        type: NODE_SCRIPT_TYPE,
        script: `const fs = require('node:fs');\nconsole.log(fs.readFileSync('/proc/self/environ', 'utf8').includes(${JSON.stringify(secret)}) || 'EARLIER' in process.env);`,
      },
      t.ctx,
    );
    expect(messages('INFO')).toEqual(['false']);
  });

  test('a kill ends a node Script and the processes it started', async () => {
    const running = createNodeScript({ killGraceMs: 300 }).run(
      {
        id: 'n',
        type: NODE_SCRIPT_TYPE,
        script: `const { spawn } = require('node:child_process');\nconst sleep = spawn('sleep', ['60'], { stdio: 'ignore' });\nconsole.log('pids ' + process.pid + ' ' + sleep.pid);`,
      },
      t.ctx,
    );
    const [, nodePid, sleepPid] = (await waitForLog(/^pids (\d+) (\d+)$/)).map(Number);
    t.abort();
    await expect(running).rejects.toThrow('Script killed');
    await untilDead(nodePid, sleepPid);
  });

  test('beforeCommands run before a node Script', async () => {
    await createNodeScript().run(
      { id: 'n', type: NODE_SCRIPT_TYPE, beforeCommands: ['echo first'], script: "console.log('second')" },
      t.ctx,
    );
    expect(messages('INFO')).toEqual(['first', 'second']);
  });

  test("node Commands use the worker's own node", async () => {
    await createNodeCommands().run(
      { id: 'n', type: NODE_COMMANDS_TYPE, commands: ['node -e "console.log(process.execPath)"'] },
      t.ctx,
    );
    expect(messages('INFO')).toEqual([process.execPath]);
  });
});
