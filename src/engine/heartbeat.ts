import type { LivenessBackend } from './ports.js';
import { type ServiceLogger, silentLogger } from './service-logger.js';

export interface HeartbeatOptions {
  intervalMs?: number;
  /** silence after which others declare this instance dead; it fences itself first */
  timeoutMs?: number;
  logger?: ServiceLogger;
  /** called once when the instance must stop: declared dead, or unable to heartbeat */
  onFenced: (reason: string) => void;
  workerGroup?: string;
  /** runs after each successful heartbeat (a worker checks its claims then) */
  onBeat?: () => Promise<void>;
}

export const DEFAULT_HEARTBEAT_MS = 3_000;
export const DEFAULT_LIVENESS_TIMEOUT_MS = 30_000;

/** Registers a component and keeps its heartbeat fresh. A component that finds itself declared dead,
 * or cannot heartbeat for most of the timeout, fences itself: its work is being (or about to be)
 * handed to others, and carrying on would run it twice. */
export class Heartbeat {
  private timer?: NodeJS.Timeout;
  private lastOk = Date.now();
  private fenced = false;
  private readonly logger: ServiceLogger;

  constructor(
    private readonly backend: LivenessBackend,
    readonly id: string,
    private readonly role: string,
    private readonly options: HeartbeatOptions,
  ) {
    this.logger = options.logger ?? silentLogger;
  }

  async start(): Promise<void> {
    await this.backend.register(this.id, this.role, this.options.workerGroup);
    this.lastOk = Date.now();
    this.schedule();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.fenced) await this.backend.deregister(this.id).catch(() => {});
  }

  private schedule(): void {
    this.timer = setTimeout(() => void this.beat(), this.options.intervalMs ?? DEFAULT_HEARTBEAT_MS);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_LIVENESS_TIMEOUT_MS;
    try {
      if (await this.backend.heartbeat(this.id)) this.lastOk = Date.now();
      else return this.fence('declared dead by another component (its heartbeats had stopped)');
      await this.options.onBeat?.();
    } catch (error) {
      this.logger.warn({ err: error, id: this.id }, `${this.role}: heartbeat failed, retrying`);
      // fence before the others may declare us dead, so that nothing runs in two places
      if (Date.now() - this.lastOk > timeoutMs * 0.8) {
        return this.fence(`no heartbeat for ${Math.round((Date.now() - this.lastOk) / 1000)} s`);
      }
    }
    if (this.timer) this.schedule();
  }

  private fence(reason: string): void {
    if (this.fenced) return;
    this.fenced = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.logger.error({ id: this.id }, `${this.role} ${this.id} fenced: ${reason}`);
    this.options.onFenced(reason);
  }
}
