import { Inject, Injectable } from '@nestjs/common';
import type { Channel, Clock } from '@crm/kernel';
import { CustomerCommands, EpisodeCommands, READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { CustomerDirectoryEntry, TimelineEntry } from '@crm/relationship-read-models';
import { CLOCK, SERVICE_CONFIG, type Principal, type ServiceConfig } from '@crm/service-kit';
import { namedUuid } from './channel-ids';
import { phoneDigits, samePhone } from './phone-numbers';

/** Who a channel's webhook writes as: the service department's integration, named by its channel. */
export const channelPrincipal = (name: 'telephony' | 'ivr' | 'inbound-mail' | 'mail-outbox'): Principal => ({
  kind: 'staff',
  subject: name,
  department: 'service',
  roles: [],
});

type ContactRow = { phone?: string; email?: string };
type IdentityRow = { kind: string; value: string };

/** What a channel records on a case: an interaction with an id named by the provider's own id, so a retry records it once. */
export interface ChannelInteraction {
  /** Names the interaction's id (with `kind`): e.g. the call id, the Message-ID. */
  key: string;
  kind: string;
  channel: Channel;
  direction: 'inbound' | 'outbound';
  actor: { kind: 'customer' | 'staff' | 'system'; id: string };
  action: string;
  response?: string;
  occurredAt: string;
}

/**
 * The cases the channels (telephony, IVR, inbound mail) open and continue, and the customers they
 * find by a caller's number or a sender's address. Writes go through the application commands
 * (`EpisodeCommands.open` / `recordInteraction`) like any other; ids are named by the provider's ids
 * (`namedUuid`), so a webhook retried after a failure half-way through opens and records nothing twice.
 */
@Injectable()
export class ChannelCases {
  constructor(
    private readonly customers: CustomerCommands,
    private readonly episodes: EpisodeCommands,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * The customer a number belongs to: the identity claim of the number as given (strongly
   * consistent), else the customer directory compared as digits (identities and contacts' phones,
   * national and international forms alike). Several customers with the number: none — the call is
   * taken as unidentified rather than filed on the wrong customer.
   */
  async customerByPhone(number: string): Promise<string | undefined> {
    const claimed = await this.customers.holderOf({ kind: 'phone', value: number });
    if (claimed) return (await this.customers.resolve(claimed)) ?? claimed;
    const digits = phoneDigits(number);
    if (!digits) return undefined;
    // The directory's search text holds every phone as digits too: its last 8 digits narrow the rows.
    const rows = await this.directoryRows(digits.slice(-8));
    return this.onlyOne(rows, (row) =>
      [
        ...(row.identities as IdentityRow[]).filter((i) => i.kind === 'phone').map((i) => i.value),
        ...(row.contacts as ContactRow[]).flatMap((c) => (c.phone ? [c.phone] : [])),
      ].some((p) => samePhone(p, number)),
    );
  }

  /** The customer an e-mail address belongs to: its identity claim, else the directory's identities and contacts' addresses (case-insensitive). */
  async customerByEmail(address: string): Promise<string | undefined> {
    const wanted = address.trim().toLowerCase();
    if (!wanted.includes('@')) return undefined;
    const claimed = await this.customers.holderOf({ kind: 'email', value: wanted });
    if (claimed) return (await this.customers.resolve(claimed)) ?? claimed;
    const rows = await this.directoryRows(wanted);
    return this.onlyOne(rows, (row) =>
      [
        ...(row.identities as IdentityRow[]).filter((i) => i.kind === 'email').map((i) => i.value),
        ...(row.contacts as ContactRow[]).flatMap((c) => (c.email ? [c.email] : [])),
      ].some((e) => e.trim().toLowerCase() === wanted),
    );
  }

  /**
   * The customer's open case (a department's, never closed) whose latest entry is at most
   * `CRM_CASE_CONTINUATION_HOURS` old, the most recent first: a call or a new e-mail thread about the
   * same thing days later continues it instead of opening another. Read from the timeline, so a case
   * opened a moment ago may not be seen yet (then a second case opens; an agent can resolve one).
   */
  async recentOpenCase(customerId: string): Promise<string | undefined> {
    const manager = this.readModels.dataSource.manager;
    const table = manager.getRepository(TimelineEntry).metadata.tablePath;
    const since = new Date(this.clock.now().getTime() - this.config.CRM_CASE_CONTINUATION_HOURS * 3_600_000);
    const rows = (await manager.query(
      `SELECT o.episode_id, max(e.occurred_at) AS last_at
         FROM ${table} o JOIN ${table} e ON e.episode_id = o.episode_id
        WHERE o.customer_id = $1 AND o.kind = 'EpisodeOpened' AND o.data->>'episodeType' = 'case' AND o.owner_partner_id IS NULL
          AND NOT EXISTS (SELECT 1 FROM ${table} c WHERE c.episode_id = o.episode_id AND c.kind = 'EpisodeClosed')
        GROUP BY o.episode_id
       HAVING max(e.occurred_at) >= $2
        ORDER BY last_at DESC, o.episode_id
        LIMIT 1`,
      [customerId, since.toISOString()],
    )) as { episode_id: string }[];
    return rows[0]?.episode_id;
  }

  /** The customer's latest open case (a department's), for the IVR's case status: its name and when it opened. */
  async latestOpenCase(customerId: string): Promise<{ episodeId: string; name: string; openedAt: string } | undefined> {
    const manager = this.readModels.dataSource.manager;
    const table = manager.getRepository(TimelineEntry).metadata.tablePath;
    const rows = (await manager.query(
      `SELECT o.episode_id, o.data->>'name' AS name, o.occurred_at
         FROM ${table} o
        WHERE o.customer_id = $1 AND o.kind = 'EpisodeOpened' AND o.data->>'episodeType' = 'case' AND o.owner_partner_id IS NULL
          AND NOT EXISTS (SELECT 1 FROM ${table} c WHERE c.episode_id = o.episode_id AND c.kind = 'EpisodeClosed')
        ORDER BY o.occurred_at DESC, o.episode_id
        LIMIT 1`,
      [customerId],
    )) as { episode_id: string; name: string; occurred_at: Date | string }[];
    const row = rows[0];
    return row && { episodeId: row.episode_id, name: row.name, openedAt: new Date(row.occurred_at).toISOString() };
  }

  /**
   * The case a contact goes on: the customer's recent open case, else a new one on `channel`, its id
   * named by `key` (a retry finds it opened already and carries on).
   */
  async caseFor(
    principal: Principal,
    customerId: string,
    opening: { key: string; channel: Channel; name: string; at: string },
  ): Promise<{ episodeId: string; opened: boolean }> {
    const continued = await this.recentOpenCase(customerId);
    if (continued) return { episodeId: continued, opened: false };
    const episodeId = namedUuid('channel-case', opening.key);
    try {
      await this.episodes.open(principal, 'case', { episodeId, customerId, name: opening.name.slice(0, 200), channel: opening.channel, openedAt: opening.at });
      return { episodeId, opened: true };
    } catch (error) {
      // A retried webhook: the case it opened the first time.
      if ((error as { rule?: string }).rule === 'episode-exists') return { episodeId, opened: false };
      throw error;
    }
  }

  /**
   * Records an interaction once (its id is named by the provider's id); returns that id, or
   * undefined when the case was resolved meanwhile (a provider would otherwise retry for ever; the
   * call or message itself is still recorded on its own stream).
   */
  async record(principal: Principal, episodeId: string, i: ChannelInteraction, options: { strict?: boolean } = {}): Promise<string | undefined> {
    const interactionId = namedUuid(i.kind, i.key);
    try {
      await this.episodes.recordInteraction(
        principal,
        episodeId,
        {
          interactionId,
          channel: i.channel,
          direction: i.direction,
          action: i.action.slice(0, 2000),
          ...(i.response !== undefined && { response: i.response.slice(0, 2000) }),
          actorKind: i.actor.kind,
          actorId: i.actor.id,
          occurredAt: i.occurredAt,
        },
        { episodeType: 'case' },
      );
    } catch (error) {
      // `strict`: an agent's own action (a reply) on a resolved case is refused (422), not passed over.
      if (!options.strict && (error as { rule?: string }).rule === 'episode-closed') return undefined;
      throw error;
    }
    return interactionId;
  }

  private async directoryRows(needle: string): Promise<CustomerDirectoryEntry[]> {
    const manager = this.readModels.dataSource.manager;
    const escaped = needle.replace(/[\\%_]/g, (c) => `\\${c}`);
    return manager
      .getRepository(CustomerDirectoryEntry)
      .createQueryBuilder('d')
      .where('d.merged_into IS NULL')
      .andWhere(`d.search_text LIKE :needle ESCAPE '\\'`, { needle: `%${escaped}%` })
      .orderBy('d.customer_id')
      .limit(50)
      .getMany();
  }

  private onlyOne(rows: CustomerDirectoryEntry[], matches: (row: CustomerDirectoryEntry) => boolean): string | undefined {
    const found = rows.filter(matches);
    return found.length === 1 ? found[0].customerId : undefined;
  }
}
