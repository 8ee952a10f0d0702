import { CommandHandler, type EventStore, type RecordedEvent } from '@crm/event-store';
import { EXCHANGE_RATES_STREAM, exchangeRatesDecider, type ExchangeRate, type ExchangeRateEvent, type ExchangeRates } from '@crm/relationship';
import type { StaffPrincipal } from '@crm/service-kit';
import { metadataFor, visibilityFor, type CommandOptions, type CommandSettings } from '../application/command-options';

export interface SetExchangeRatesInput {
  reportingCurrency: string;
  /** `YYYY-MM-DD`: the rates are in force from this day. */
  effectiveDate: string;
  rates: ExchangeRate[];
}

/**
 * The reporting exchange rates (one private stream, `sales-exchange-rates`): sales managers set the
 * rates of currencies to a reporting currency from an effective day; the forecast and the attainment
 * convert with them. Read as they are now, or as they were recorded by an instant (`asOf`), so a
 * past forecast converts with the rates it knew then.
 */
export class ExchangeRateCommands {
  constructor(
    private readonly store: EventStore,
    private readonly settings: CommandSettings,
  ) {}

  private readonly handler = new CommandHandler(this.store, exchangeRatesDecider, { retries: this.settings.retries });

  /** Sets rates for a day; only what differs from that day’s rates is recorded (`recorded`: how many rates). Answers the table now. */
  async set(
    principal: StaffPrincipal,
    input: SetExchangeRatesInput,
    options: CommandOptions = {},
  ): Promise<{ rates: ExchangeRates; recorded: number; revision: bigint | undefined }> {
    const r = await this.handler.handle(
      EXCHANGE_RATES_STREAM,
      {
        type: 'SetExchangeRates',
        data: {
          reportingCurrency: input.reportingCurrency,
          effectiveDate: input.effectiveDate,
          rates: input.rates.map(({ currency, rate }) => ({ currency, rate })),
          setBy: principal.subject,
          setAt: this.settings.clock.now().toISOString(),
        },
      },
      metadataFor(principal, this.settings.clock, visibilityFor(principal), options.correlationId),
      { expectedRevision: options.expectedRevision },
    );
    return { rates: r.state, recorded: r.events.reduce((n, e) => n + e.data.rates.length, 0), revision: r.revision };
  }

  /** The table now with its revision (the ETag a change names in If-Match; undefined: never set). */
  async current(): Promise<{ table: ExchangeRates; revision: bigint | undefined }> {
    const { state, revision } = await this.handler.load(EXCHANGE_RATES_STREAM);
    return { table: state, revision };
  }

  /** The table as recorded by `recordedBy` (by when the store recorded each change); now when absent. */
  async table(recordedBy?: Date): Promise<ExchangeRates> {
    if (!recordedBy) return (await this.handler.load(EXCHANGE_RATES_STREAM)).state;
    const until = recordedBy.getTime();
    const recorded: RecordedEvent[] = [];
    for (let from = 0n; ;) {
      const page = await this.store.readStream(EXCHANGE_RATES_STREAM, { fromRevision: from, maxCount: 1000 });
      recorded.push(...page);
      if (page.length < 1000) break;
      from = page[page.length - 1].revision + 1n;
    }
    return recorded
      .filter((e) => Date.parse(e.recordedAt) <= until)
      .map((e) => ({ type: e.type, data: e.data }) as ExchangeRateEvent)
      .reduce(exchangeRatesDecider.evolve, exchangeRatesDecider.initialState);
  }
}
