// Connector processes must not outlive the process that launched them. Each runs in its own process
// group (so that stopping it reaches whatever it started), which also means nothing ends it when the
// worker dies: a destination would read EOF on its stdin and take it for a normal end, a source would
// go on reading a database for nobody. Node has no parent-death signal (PR_SET_PDEATHSIG), and that
// would reach only the direct child, from one thread, on Linux only. So each launching process keeps
// one small watcher: a POSIX shell holding the read end of a pipe from it, told the process group of
// every connector as it starts and ends. However the launcher dies — kill -9 included — the kernel
// closes its end of the pipe; the watcher reads EOF and SIGKILLs every group still listed. SIGKILL, not
// SIGTERM: nobody is left to take a connector's results, and a destination that handled SIGTERM by
// committing would commit a partial input.
import { type ChildProcess, spawn } from 'node:child_process';

/**
 * Reads `+<pgid>` / `-<pgid>` lines on stdin and, at EOF, kills the groups it still holds. Shell
 * builtins only (no fork per line); groups are kept as " a b c " so that one is removed by
 * pattern. Its own session (detached), so a terminal's signals to the worker's group do not end it
 * before the worker.
 */
const WATCHER = `
groups=" "
while IFS= read -r line; do
  id="\${line#?}"
  case "$line" in
    +*) groups="$groups$id " ;;
    -*) case "$groups" in *" $id "*) groups="\${groups%% $id *} \${groups#* $id }" ;; esac ;;
  esac
done
for g in $groups; do kill -KILL "-$g" 2>/dev/null; done
`;

export class ConnectorReaper {
  private watcher: ChildProcess | undefined;
  private readonly groups = new Set<number>();

  /** From now until release, the group dies with this process. */
  watch(pgid: number): void {
    this.groups.add(pgid);
    if (this.watcher) this.send(`+${pgid}`);
    else this.start();
  }

  release(pgid: number): void {
    if (!this.groups.delete(pgid)) return;
    // a group id released is free for the system to reuse: the watcher must no longer kill it
    if (this.watcher) this.send(`-${pgid}`);
  }

  /** A watcher (the first launch, or the last one was killed), told every group watched so far. A
   * watcher that cannot be spawned ('error') is not retried in a loop: the next watch tries again. */
  private start(): void {
    const watcher = spawn('/bin/sh', ['-c', WATCHER], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    watcher.on('error', () => this.lost(watcher));
    // one that ran and was killed is replaced at once, told every group: a connector watched in the
    // meantime was written into a dead pipe, and would otherwise be watched by nobody
    watcher.on('exit', () => this.lost(watcher, this.groups.size > 0));
    watcher.stdin!.on('error', () => this.lost(watcher));
    // it must not keep this process alive: it only matters while this process is
    watcher.unref();
    (watcher.stdin as unknown as { unref?: () => void }).unref?.();
    this.watcher = watcher;
    this.send([...this.groups].map((g) => `+${g}`).join('\n'));
  }

  private send(lines: string): void {
    if (lines !== '') this.watcher?.stdin?.write(`${lines}\n`);
  }

  private lost(watcher: ChildProcess, replace = false): void {
    if (this.watcher !== watcher) return;
    this.watcher = undefined;
    if (replace) this.start();
  }
}

/** The one watcher of this process's connectors. */
export const connectorReaper = new ConnectorReaper();
