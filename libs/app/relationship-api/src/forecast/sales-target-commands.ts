import { CommandHandler, type EventStore, type RecordedEvent } from '@crm/event-store';
import { SALES_TARGETS_STREAM, salesTargetsDecider, type SalesTargetEvent, type SalesTargetInput, type SalesTargets } from '@crm/relationship';
import type { StaffPrincipal } from '@crm/service-kit';
import { metadataFor, visibilityFor, type CommandOptions, type CommandSettings } from '../application/command-options';

export interface SetSalesTargetsInput {
  /** `2026-03` or `2026-Q1`. */
  period: string;
  currency: string;
  targets: SalesTargetInput[];
}

/**
 * Sales targets (one private stream, `sales-targets`): sales managers set what each owner or team is
 * to win in a month or quarter. Read now, or as recorded by an instant (`asOf`).
 */
export class SalesTargetCommands {
  constructor(
    private readonly store: EventStore,
    private readonly settings: CommandSettings,
  ) {}

  private readonly handler = new CommandHandler(this.store, salesTargetsDecider, { retries: this.settings.retries });

  /** Sets targets of a period; only what differs is recorded (`recorded`: how many targets). */
  async set(
    principal: StaffPrincipal,
    input: SetSalesTargetsInput,
    options: CommandOptions = {},
  ): Promise<{ targets: SalesTargets; recorded: number; revision: bigint | undefined }> {
    const r = await this.handler.handle(
      SALES_TARGETS_STREAM,
      {
        type: 'SetSalesTargets',
        data: {
          period: input.period,
          currency: input.currency,
          targets: input.targets.map((t) => ({
            ...(t.owner !== undefined && { owner: t.owner }),
            ...(t.team !== undefined && { team: t.team }),
            amount: t.amount,
          })),
          setBy: principal.subject,
          setAt: this.settings.clock.now().toISOString(),
        },
      },
      metadataFor(principal, this.settings.clock, visibilityFor(principal), options.correlationId),
      { expectedRevision: options.expectedRevision },
    );
    return { targets: r.state, recorded: r.events.reduce((n, e) => n + e.data.targets.length, 0), revision: r.revision };
  }

  /** The table now with its revision (the ETag a change names in If-Match; undefined: never set). */
  async current(): Promise<{ table: SalesTargets; revision: bigint | undefined }> {
    const { state, revision } = await this.handler.load(SALES_TARGETS_STREAM);
    return { table: state, revision };
  }

  /** The targets as recorded by `recordedBy`; now when absent. */
  async table(recordedBy?: Date): Promise<SalesTargets> {
    if (!recordedBy) return (await this.handler.load(SALES_TARGETS_STREAM)).state;
    const until = recordedBy.getTime();
    const recorded: RecordedEvent[] = [];
    for (let from = 0n; ;) {
      const page = await this.store.readStream(SALES_TARGETS_STREAM, { fromRevision: from, maxCount: 1000 });
      recorded.push(...page);
      if (page.length < 1000) break;
      from = page[page.length - 1].revision + 1n;
    }
    return recorded
      .filter((e) => Date.parse(e.recordedAt) <= until)
      .map((e) => ({ type: e.type, data: e.data }) as SalesTargetEvent)
      .reduce(salesTargetsDecider.evolve, salesTargetsDecider.initialState);
  }
}
