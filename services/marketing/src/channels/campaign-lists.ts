import type { EntityManager } from 'typeorm';
import type { OutboundMessage } from './message-sender';

/** The outcomes a contact-centre agent records for a campaign call. */
export const CALL_OUTCOMES = ['reached', 'no-answer', 'declined', 'interested'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

export interface CallListEntry {
  messageId: string;
  campaignId: string;
  stepId: string;
  variantId: string | null;
  customerId: string;
  phone: string;
  /** What to say: the step's text, merge fields filled. */
  script: string;
  listedAt: string;
  outcome: CallOutcome | null;
  note: string | null;
  outcomeAt: string | null;
  /** Outcomes recorded so far (a no-answer may be called again). */
  attempts: number;
  /** The interaction the latest outcome was recorded as. */
  lastInteractionId: string | null;
}

export interface PrintListEntry {
  messageId: string;
  campaignId: string;
  stepId: string;
  variantId: string | null;
  customerId: string;
  /** The addressee: the first line of the postal address. */
  name: string;
  /** The rest of the address, one line per element. */
  address: string[];
  text: string;
  listedAt: string;
}

/**
 * Address lines a print list keeps beside the addressee (the CSV has one column each): enough for a
 * contact's postal address as the dispatcher writes it — organisation, four street lines, postal code
 * and locality, region, country.
 */
export const MAX_ADDRESS_LINES = 8;

interface CallRow {
  seq: string;
  message_id: string;
  campaign_id: string;
  step_id: string;
  variant_id: string | null;
  customer_id: string;
  phone: string;
  script: string;
  listed_at: Date | string;
  outcome: CallOutcome | null;
  note: string | null;
  outcome_at: Date | string | null;
  attempts: number;
  last_interaction_id: string | null;
}

interface PrintRow {
  seq: string;
  message_id: string;
  campaign_id: string;
  step_id: string;
  variant_id: string | null;
  customer_id: string;
  name: string;
  address: string[] | string;
  text: string;
  listed_at: Date | string;
}

const iso = (v: Date | string) => new Date(v).toISOString();

/**
 * The two campaign channels that "send" by listing: the phone step's call list the contact centre
 * works, and the mail step's print list exported for the print house. Tables in the service's
 * schema (`marketing.campaign_call_list`, `marketing.campaign_print_list`), one row per message:
 * listing the same message again changes nothing (the dispatcher retries safely). They are written
 * when the message is sent, not folded from events — the campaign's own events (its message sent,
 * the outcome interaction) are what the store keeps; a lost table loses the working lists only.
 * `seq` gives a stable order to page by.
 */
export class CampaignListsStore {
  private ready?: Promise<void>;

  constructor(private readonly manager: () => EntityManager) {}

  private ensure(): Promise<void> {
    this.ready ??= (async () => {
      const m = this.manager();
      // Two processes creating the same table at once: PostgreSQL's IF NOT EXISTS may still lose the race on the catalogue (23505, 42P07); the winner made it.
      const ddl = (sql: string) =>
        m.query(sql).catch((error: { code?: string; driverError?: { code?: string } }) => {
          const code = error.code ?? error.driverError?.code;
          if (code !== '23505' && code !== '42P07' && code !== '42P06') throw error;
        });
      await ddl(`CREATE SCHEMA IF NOT EXISTS marketing`);
      await ddl(`CREATE TABLE IF NOT EXISTS marketing.campaign_call_list (
        seq bigserial, message_id text PRIMARY KEY, campaign_id text NOT NULL, step_id text NOT NULL, variant_id text, customer_id text NOT NULL,
        phone text NOT NULL, script text NOT NULL, listed_at timestamptz NOT NULL,
        outcome text, note text, outcome_at timestamptz, attempts integer NOT NULL DEFAULT 0, last_interaction_id text)`);
      await ddl(`CREATE INDEX IF NOT EXISTS campaign_call_list_campaign ON marketing.campaign_call_list (campaign_id, seq)`);
      await ddl(`CREATE TABLE IF NOT EXISTS marketing.campaign_print_list (
        seq bigserial, message_id text PRIMARY KEY, campaign_id text NOT NULL, step_id text NOT NULL, variant_id text, customer_id text NOT NULL,
        name text NOT NULL, address jsonb NOT NULL, text text NOT NULL, listed_at timestamptz NOT NULL)`);
      await ddl(`CREATE INDEX IF NOT EXISTS campaign_print_list_campaign ON marketing.campaign_print_list (campaign_id, seq)`);
    })().catch((error) => {
      this.ready = undefined; // tried again on the next use
      throw error;
    });
    return this.ready;
  }

  /** Lists the message on its campaign's call list; false when it was listed already. */
  async addCall(message: OutboundMessage, phone: string, at: Date): Promise<boolean> {
    await this.ensure();
    const rows = (await this.manager().query(
      `INSERT INTO marketing.campaign_call_list (message_id, campaign_id, step_id, variant_id, customer_id, phone, script, listed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (message_id) DO NOTHING RETURNING message_id`,
      [message.messageId, message.campaignId, message.stepId, message.variantId ?? null, message.customerId, phone, message.text, at.toISOString()],
    )) as unknown[];
    return rows.length > 0;
  }

  async addPrint(message: OutboundMessage, name: string, address: string[], at: Date): Promise<boolean> {
    await this.ensure();
    const rows = (await this.manager().query(
      `INSERT INTO marketing.campaign_print_list (message_id, campaign_id, step_id, variant_id, customer_id, name, address, text, listed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9) ON CONFLICT (message_id) DO NOTHING RETURNING message_id`,
      [
        message.messageId,
        message.campaignId,
        message.stepId,
        message.variantId ?? null,
        message.customerId,
        name,
        JSON.stringify(address),
        message.text,
        at.toISOString(),
      ],
    )) as unknown[];
    return rows.length > 0;
  }

  /** One page of a campaign's call list in listing order, after `afterSeq`; `limit + 1` rows are read to know whether more follow. */
  async callPage(campaignId: string, afterSeq: number, limit: number): Promise<{ items: (CallListEntry & { seq: number })[]; more: boolean }> {
    await this.ensure();
    const rows = (await this.manager().query(`SELECT * FROM marketing.campaign_call_list WHERE campaign_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [
      campaignId,
      afterSeq,
      limit + 1,
    ])) as CallRow[];
    return { items: rows.slice(0, limit).map(callEntry), more: rows.length > limit };
  }

  async hasCallList(campaignId: string): Promise<boolean> {
    await this.ensure();
    return ((await this.manager().query(`SELECT 1 FROM marketing.campaign_call_list WHERE campaign_id = $1 LIMIT 1`, [campaignId])) as unknown[]).length > 0;
  }

  async call(campaignId: string, messageId: string): Promise<CallListEntry | undefined> {
    await this.ensure();
    const rows = (await this.manager().query(`SELECT * FROM marketing.campaign_call_list WHERE campaign_id = $1 AND message_id = $2`, [
      campaignId,
      messageId,
    ])) as CallRow[];
    return rows[0] && callEntry(rows[0]);
  }

  async recordOutcome(messageId: string, outcome: CallOutcome, note: string | undefined, at: Date, interactionId: string): Promise<CallListEntry> {
    await this.ensure();
    const [rows] = (await this.manager().query(
      `UPDATE marketing.campaign_call_list SET outcome = $2, note = $3, outcome_at = $4, attempts = attempts + 1, last_interaction_id = $5
       WHERE message_id = $1 RETURNING *`,
      [messageId, outcome, note ?? null, at.toISOString(), interactionId],
    )) as [CallRow[], number];
    return callEntry(rows[0]);
  }

  async printPage(campaignId: string, afterSeq: number, limit: number): Promise<(PrintListEntry & { seq: number })[]> {
    await this.ensure();
    const rows = (await this.manager().query(`SELECT * FROM marketing.campaign_print_list WHERE campaign_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [
      campaignId,
      afterSeq,
      limit,
    ])) as PrintRow[];
    return rows.map((r) => ({
      seq: Number(r.seq),
      messageId: r.message_id,
      campaignId: r.campaign_id,
      stepId: r.step_id,
      variantId: r.variant_id,
      customerId: r.customer_id,
      name: r.name,
      address: typeof r.address === 'string' ? (JSON.parse(r.address) as string[]) : r.address,
      text: r.text,
      listedAt: iso(r.listed_at),
    }));
  }
}

function callEntry(r: CallRow): CallListEntry & { seq: number } {
  return {
    seq: Number(r.seq),
    messageId: r.message_id,
    campaignId: r.campaign_id,
    stepId: r.step_id,
    variantId: r.variant_id,
    customerId: r.customer_id,
    phone: r.phone,
    script: r.script,
    listedAt: iso(r.listed_at),
    outcome: r.outcome,
    note: r.note,
    outcomeAt: r.outcome_at === null ? null : iso(r.outcome_at),
    attempts: Number(r.attempts),
    lastInteractionId: r.last_interaction_id,
  };
}

export const CAMPAIGN_LISTS = Symbol('CAMPAIGN_LISTS');
