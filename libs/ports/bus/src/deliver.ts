import { backoffMs, DEFAULT_RETRY, InMemoryDedupeStore, type BusBatchSubscribeOptions, type BusSubscribeOptions, type DedupeStore } from './bus';
import type { IntegrationEvent } from './envelope';
import { InvalidIntegrationEventError, type IntegrationEventRegistry } from './registry';

export type DeliveryOutcome = 'handled' | 'duplicate' | 'dead-lettered';

export interface DeliveryContext {
  registry: IntegrationEventRegistry;
  /** Writes the raw message with its reason to the group's dead-letter topic; must be durable. */
  deadLetter(reason: string): Promise<void>;
  sleep?(ms: number): Promise<void>;
}

/**
 * What every bus adapter does with one received message, so they all behave alike: validate,
 * deduplicate, call the handler with retries and backoff, dead-letter on a bad message or on the
 * last failure. It resolves in every case but a failing dead-letter write, so one poison message
 * never stops the consumer.
 */
export function createDelivery(options: BusSubscribeOptions): (raw: string, ctx: DeliveryContext) => Promise<DeliveryOutcome> {
  const policy = { ...DEFAULT_RETRY, ...options.retry };
  const dedupe: DedupeStore | undefined = options.dedupe === false ? undefined : (options.dedupe ?? new InMemoryDedupeStore());
  return async (raw, ctx) => {
    let event;
    try {
      event = ctx.registry.parse(raw);
    } catch (error) {
      if (!(error instanceof InvalidIntegrationEventError)) throw error;
      await ctx.deadLetter(`invalid message: ${error.reason}`);
      return 'dead-lettered';
    }
    if (dedupe && (await dedupe.has(options.group, event.id))) return 'duplicate';
    const sleep = ctx.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    for (let attempt = 1; ; attempt++) {
      let handled = false;
      try {
        await options.handler(event, { attempt });
        handled = true;
      } catch (error) {
        if (attempt >= policy.attempts) {
          await ctx.deadLetter(`handler failed after ${attempt} attempts: ${error instanceof Error ? error.message : String(error)}`);
          return 'dead-lettered';
        }
        await sleep(backoffMs(policy, attempt));
      }
      if (handled) {
        // Outside the try: a failing dedupe write must not re-run a handler that succeeded.
        await dedupe?.add(options.group, event.id);
        return 'handled';
      }
    }
  };
}

export interface BatchDeliveryContext {
  registry: IntegrationEventRegistry;
  /** Writes one raw message with its reason to the group's dead-letter topic; must be durable. */
  deadLetter(raw: string, reason: string): Promise<void>;
  /** True once the batch must be given up (subscription stopping, partition revoked). */
  abandoned(): boolean;
  /** Waits between attempts (adapters keep their group membership alive meanwhile). */
  sleep?(ms: number): Promise<void>;
}

/**
 * What every bus adapter does with one batch of received messages for `subscribeBatch`: invalid
 * ones are dead-lettered with the reason, the valid ones go to the handler, which is called again
 * with the same events after a backoff until it succeeds. Resolves true when the batch was handled
 * (its offsets may be committed), false when it was abandoned.
 */
export function createBatchDelivery(options: BusBatchSubscribeOptions): (raws: readonly string[], ctx: BatchDeliveryContext) => Promise<boolean> {
  const initial = options.retry?.initialBackoffMs ?? 100;
  const max = options.retry?.maxBackoffMs ?? 5000;
  const report =
    options.onBatchError ??
    ((error: unknown, attempt: number) => console.error(`bus: batch of group ${options.group} failed (attempt ${attempt}); retrying`, error));
  return async (raws, ctx) => {
    const events: IntegrationEvent[] = [];
    for (const raw of raws) {
      try {
        events.push(ctx.registry.parse(raw));
      } catch (error) {
        if (!(error instanceof InvalidIntegrationEventError)) throw error;
        await ctx.deadLetter(raw, `invalid message: ${error.reason}`);
      }
    }
    if (events.length === 0) return true;
    const sleep = ctx.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    for (let attempt = 1; ; attempt++) {
      if (ctx.abandoned()) return false;
      try {
        await options.handleBatch(events);
        return true;
      } catch (error) {
        report(error, attempt);
        await sleep(Math.min(max, initial * 2 ** Math.min(attempt - 1, 20)));
      }
    }
  };
}
