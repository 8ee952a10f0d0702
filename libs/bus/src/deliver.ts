import { backoffMs, DEFAULT_RETRY, InMemoryDedupeStore, type BusSubscribeOptions, type DedupeStore } from './bus';
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
  const dedupe: DedupeStore | undefined = options.dedupe === false ? undefined : options.dedupe ?? new InMemoryDedupeStore();
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
