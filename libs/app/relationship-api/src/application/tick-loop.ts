/**
 * A background worker's loop: `tick` now and then, one tick at a time, stopped after the tick under
 * way. The activity scheduler and analytics' journey process manager keep no state of their own —
 * what to do next is in their read models — so the loop is all they share: a tick that fails is
 * logged and the next one tries again.
 */
export class TickLoop<T> {
  private timer?: NodeJS.Timeout;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = true;

  constructor(
    /** Named in the log line of a failed tick. */
    private readonly name: string,
    private readonly tickNow: () => Promise<T>,
    private readonly options: { intervalMs?: number; logger?: { warn(message: string): void } } = {},
  ) {}

  /** How often it ticks once started (ms; 0: only when `tick` is called). Default 1,000. */
  get intervalMs(): number {
    return this.options.intervalMs ?? 1000;
  }

  /** Starts ticking every `intervalMs` (first at once). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const interval = this.intervalMs;
    if (interval <= 0) return;
    const loop = () => {
      this.tick()
        .catch((error: unknown) => this.options.logger?.warn(`${this.name}: a tick failed (${describeError(error)}); trying again`))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(loop, interval);
        });
    };
    loop();
  }

  /** Stops ticking, after the tick under way (if any). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running.catch(() => undefined);
  }

  /** One tick at a time: a call during a tick runs after it. */
  tick(): Promise<T> {
    const next = this.running.catch(() => undefined).then(() => this.tickNow());
    this.running = next;
    return next;
  }
}

/** An error as one line of a log or a tick's report. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
