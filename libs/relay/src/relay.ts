import { InvalidIntegrationEventError, type IntegrationBus, type IntegrationEvent, type IntegrationEventRegistry } from '@crm/bus';
import type { EventStore, GlobalPosition, RecordedEvent } from '@crm/event-store';
import type { CheckpointStore } from './checkpoint-store';
import { toIntegrationEvent } from './integration-mapping';

export interface RelayOptions {
  /** Checkpoint name; one relay per name may run at a time. */
  name?: string;
  batchSize?: number;
  pollIntervalMs?: number;
  mapping?: (event: RecordedEvent) => IntegrationEvent | undefined;
  /** Called for an event that maps to an invalid integration event; the relay skips it. */
  onRejected?: (event: RecordedEvent, reason: string) => void;
  onError?: (error: unknown) => void;
}

/**
 * The only writer to the bus. It follows the event store's global order from its checkpoint,
 * publishes a page, waits for the bus to acknowledge it, and only then moves the checkpoint — so a
 * crash at any point re-publishes (at-least-once; consumers dedupe by event id) and never skips.
 */
export class Relay {
  private stopped = false;
  private running?: Promise<void>;
  private wake?: () => void;
  readonly name: string;

  constructor(
    private readonly store: EventStore,
    private readonly bus: IntegrationBus,
    private readonly checkpoints: CheckpointStore,
    private readonly registry: IntegrationEventRegistry,
    private readonly options: RelayOptions = {},
  ) {
    this.name = options.name ?? 'relay';
  }

  start(): void {
    if (this.running) return;
    this.stopped = false;
    this.running = this.loop().catch((error: unknown) => {
      this.stopped = true;
      if (this.options.onError) this.options.onError(error);
      else throw error;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running?.catch(() => undefined);
    this.running = undefined;
  }

  /** Publishes everything committed so far, then returns (tests, CLIs). */
  async drain(): Promise<void> {
    let after = await this.checkpoints.load(this.name);
    for (;;) {
      const next = await this.publishPage(after);
      if (!next) return;
      after = next;
    }
  }

  private async loop(): Promise<void> {
    let after = await this.checkpoints.load(this.name);
    while (!this.stopped) {
      const next = await this.publishPage(after);
      if (next) {
        after = next;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollIntervalMs ?? 50);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** One page: returns the new checkpoint, or undefined when there was nothing after `after`. */
  private async publishPage(after: GlobalPosition | undefined): Promise<GlobalPosition | undefined> {
    const page = await this.store.readAll({ after, maxCount: this.options.batchSize ?? 500 });
    if (page.length === 0) return undefined;
    const mapping = this.options.mapping ?? toIntegrationEvent;
    const batch: IntegrationEvent[] = [];
    for (const event of page) {
      const integration = mapping(event);
      if (!integration) continue;
      if (!this.registry.has(integration.type, integration.schemaversion)) continue; // private to its service
      try {
        batch.push(this.registry.validate(integration));
      } catch (error) {
        if (!(error instanceof InvalidIntegrationEventError)) throw error;
        // A stored event that breaks its published contract must not block every later event.
        this.options.onRejected?.(event, error.reason);
      }
    }
    if (batch.length) await this.bus.publish(batch);
    const last = page[page.length - 1].position;
    await this.checkpoints.save(this.name, last);
    return last;
  }
}
