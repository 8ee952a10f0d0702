import {
  campaignMessageDecider,
  campaignMessageId,
  campaignMessageStream,
  campaignStream,
  capReached,
  memberStepDueAt,
  recipientKey,
  stepOpen,
  type CampaignMember,
  type CampaignMessageCommand,
  type CampaignMessageEvent,
  type CampaignMessagesState,
  type CampaignState,
  type CampaignStep,
  type ConsentBasis,
  type ConsentSeen,
  type FrequencyCap,
  type SendOutcomeReport,
} from '@crm/campaigns';
import { consentAsOf, consentStream, mayContact, type ConsentEvent } from '@crm/consent';
import { CommandHandler, type EventStore, type RecordedEvent } from '@crm/event-store';
import { uuidV5, type Clock, type Department } from '@crm/kernel';
import { DomainRuleViolation, describeError, TickLoop, type CustomerCommands, type EpisodeCommands } from '@crm/relationship-api';
import type { Principal } from '@crm/service-kit';
import { letterAddress, type LetterAddressee } from '../../channels/mail/letter-address';
import type { MessageSender, OutboundMessage, SendOutcome } from '../../channels/message-sender';
import type { ConsentLinks } from '../../consent/consent-links';
import { campaignEpisodeId } from '../campaign-ids';
import { COMPANY_ONLY, DISPATCHER_ACTOR, type CampaignCommands } from '../campaign-commands';
import type { CampaignDirectory } from '../campaign-directory';
import { CampaignTriggerOffers } from '../campaign-trigger-offers';
import { CampaignRenderer, type MergeValues } from './campaign-renderer';
import type { EmailSuppressionCommands } from '../../suppressions/email-suppression-commands';

export interface CampaignDispatcherOptions {
  /** How often it looks, in real time (ms); 0: only when `tick()` is called. */
  intervalMs?: number;
  /** Decisions (sends and suppressions) per tick at most, across campaigns; default 2,000. */
  maxPerTick?: number;
  /** Base of the one-click unsubscribe link (`<base>/unsubscribe?t=…`). */
  publicUrl: string;
  /** Messages per customer across every campaign (`CRM_MARKETING_FREQUENCY_CAP`); none: no cap. */
  frequencyCap?: FrequencyCap;
  /** The e-mail suppression list: asked before every e-mail, told of every hard bounce. None: no list (tests of other things). */
  suppressions?: EmailSuppressionCommands;
  logger?: { warn(message: string): void };
}

export interface CampaignDispatchTick {
  at: string;
  started: string[];
  /** Trigger firings decided this tick: admitted to a triggered campaign, or skipped (with the reason). */
  firings: { admitted: number; skipped: { firingId: string; campaignId: string; reason: string }[] };
  sent: number;
  suppressed: number;
  bounced: number;
  deferred: number;
  failed: { campaignId: string; customerId: string; error: string }[];
}

type Outcome = 'sent' | 'suppressed' | 'bounced' | 'deferred' | 'skipped' | 'stopped';

/** Messages decided at once (each recipient is its own stream), and per round. */
const CONCURRENCY = 8;
const ROUND = 64;

/** `work` over `items`, `concurrency` at a time; results in the items' order. */
async function inParallel<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** Fixed for good: the interaction a sent message is in the timeline as (one per message). */
const INTERACTION_NAMESPACE = '0e7b5a3c-9d21-4f6e-b8a4-3c5d7e9f1a2b';
export const campaignMessageInteractionId = (messageId: string) => uuidV5(`message/${messageId}`, INTERACTION_NAMESPACE);

/**
 * The durable campaign dispatcher (issue 13 §3), on the injected clock, one tick at a time:
 *
 * 1. starts scheduled campaigns whose time has come;
 * 2. for every running campaign, for each member and step that is due (the start plus the step's
 *    delay) and not yet decided — or deferred and due again — re-reads the customer's consent AT
 *    SEND TIME (`mayContact` on the consent stream) and either records a suppression (no consent,
 *    control group, no address, an e-mail address on the suppression list) with the consent state
 *    seen and the event it rests on, or renders
 *    the variant's template, records `CampaignMessageSent` with the consent basis (event id and
 *    store position), hands it to the channel's sender, records a bounce or a deferral, and puts the
 *    message in the customer's timeline (an outbound interaction on its campaign episode);
 * 3. keeps each campaign within its throttle: a token bucket of `throttlePerSecond` filled by the
 *    injected clock (a burst of at most one second's worth), spent only by hand-overs.
 *
 * It keeps no state that matters: what is due comes from the directory (folded from the store),
 * what is decided from each recipient's own stream, loaded just before. The send is recorded
 * before the hand-over, expecting the revision that was read (see `campaign-message.ts`), so after a
 * restart, or with two dispatchers, no message is handed over twice. Before each message the
 * campaign's last event is read: a pause or a close stops it at the next message, not the next tick.
 */
export class CampaignDispatcher {
  private readonly loop: TickLoop<CampaignDispatchTick>;
  private readonly messages: CommandHandler<CampaignMessagesState, CampaignMessageCommand, CampaignMessageEvent>;
  /** Schema version 2 of CampaignMessageSuppressed: only for `address-suppressed`, which a version-1 consumer would refuse. */
  private readonly messagesV2: CommandHandler<CampaignMessagesState, CampaignMessageCommand, CampaignMessageEvent>;
  private readonly renderer = new CampaignRenderer();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly offers: CampaignTriggerOffers;

  constructor(
    private readonly store: EventStore,
    private readonly campaigns: CampaignCommands,
    private readonly directory: CampaignDirectory,
    private readonly customers: CustomerCommands,
    private readonly episodes: EpisodeCommands,
    private readonly links: ConsentLinks,
    private readonly senders: ReadonlyMap<string, MessageSender>,
    private readonly clock: Clock,
    private readonly options: CampaignDispatcherOptions,
  ) {
    this.messages = new CommandHandler(store, campaignMessageDecider);
    this.messagesV2 = new CommandHandler(store, campaignMessageDecider, { schemaVersion: 2 });
    this.offers = new CampaignTriggerOffers(store, directory, clock, options.logger);
    this.loop = new TickLoop('campaign dispatcher', () => this.tickNow(), { intervalMs: options.intervalMs, logger: options.logger });
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One round of work. One tick at a time: a call during a tick runs after it. */
  tick(): Promise<CampaignDispatchTick> {
    return this.loop.tick();
  }

  private async tickNow(): Promise<CampaignDispatchTick> {
    await this.directory.ready;
    const now = this.clock.now();
    const result: CampaignDispatchTick = {
      at: now.toISOString(),
      started: [],
      firings: { admitted: 0, skipped: [] },
      sent: 0,
      suppressed: 0,
      bounced: 0,
      deferred: 0,
      failed: [],
    };
    for (const c of this.directory.all()) {
      const s = c.state;
      if (s.status === 'scheduled' && s.campaignId && Date.parse(s.startAt ?? '') <= now.getTime()) {
        try {
          if ((await this.campaigns.startScheduled(s.campaignId)).revision !== undefined) result.started.push(s.campaignId);
        } catch (error) {
          result.failed.push({ campaignId: s.campaignId, customerId: '', error: describeError(error) });
          this.options.logger?.warn(`campaign dispatcher: campaign ${s.campaignId} did not start (${describeError(error)})`);
        }
      }
    }
    let budget = this.options.maxPerTick ?? 2000;
    // Trigger firings first: a customer admitted now gets a step due now in this same tick.
    for (const firing of this.directory.pendingFirings().slice(0, budget)) {
      budget--;
      try {
        const outcome = await this.offers.decide(firing);
        if ('admitted' in outcome && outcome.admitted) result.firings.admitted++;
        else if ('reason' in outcome) result.firings.skipped.push({ firingId: firing.eventId, campaignId: firing.action.campaignId, reason: outcome.reason });
      } catch (error) {
        // Not decided: the firing stays pending and is tried again next tick.
        result.failed.push({ campaignId: firing.action.campaignId, customerId: firing.customerId, error: describeError(error) });
        this.options.logger?.warn(`campaign dispatcher: trigger firing ${firing.eventId} not decided (${describeError(error)}); trying again`);
      }
    }
    for (const c of this.directory.all()) {
      if (c.state.status !== 'running' || !c.state.campaignId || !c.state.definition) continue;
      budget = await this.dispatchCampaign(c.state, c.triggered, now, budget, result);
      if (budget <= 0) break;
    }
    return result;
  }

  /**
   * One campaign's due messages, in audience order, in rounds of up to `ROUND` handled `CONCURRENCY`
   * at a time (each recipient is its own stream: they do not contend). A round reserves a token for
   * each member who may get a message; what was not handed over (suppressed, skipped, failed) gives
   * its token back for the next round, so suppressions never slow the campaign.
   */
  private async dispatchCampaign(
    campaign: CampaignState,
    triggered: readonly CampaignMember[],
    now: Date,
    budget: number,
    result: CampaignDispatchTick,
  ): Promise<number> {
    const campaignId = campaign.campaignId!;
    const definition = campaign.definition!;
    const bucket = this.bucket(campaignId, definition.throttlePerSecond, now.getTime());
    const due: { member: CampaignMember; step: CampaignStep; i: number }[] = [];
    // The frozen audience, then the recipients trigger firings admitted (each with its own steps and due times).
    for (const member of [...campaign.members, ...triggered])
      for (const [i, step] of definition.steps.entries()) {
        const dueAt = memberStepDueAt(campaign, member, step);
        if (dueAt === undefined || dueAt > now.getTime()) continue;
        const known = this.directory.stepOf(campaignId, recipientKey(member), step.stepId);
        if (!known || (known.status === 'deferred' && Date.parse(known.retryAt ?? '') <= now.getTime())) due.push({ member, step, i });
      }
    let at = 0;
    let stopped = false;
    while (!stopped && at < due.length && budget > 0) {
      const round: typeof due = [];
      let reserved = 0;
      while (at < due.length && round.length < Math.min(budget, ROUND)) {
        // Control-group members cost no hand-over; everyone else waits for the throttle.
        if (!due[at].member.control) {
          if (bucket.tokens - reserved < 1) break;
          reserved++;
        }
        round.push(due[at++]);
      }
      if (round.length === 0) break;
      bucket.tokens -= reserved;
      budget -= round.length;
      const outcomes = await inParallel(round, CONCURRENCY, async ({ member, step, i }): Promise<Outcome | 'failed'> => {
        try {
          return await this.dispatchOne(campaign, member, step, i, now);
        } catch (error) {
          result.failed.push({ campaignId, customerId: member.customerId, error: describeError(error) });
          this.options.logger?.warn(`campaign dispatcher: ${campaignId}/${member.customerId}/${step.stepId} failed (${describeError(error)}); trying again`);
          return 'failed';
        }
      });
      outcomes.forEach((outcome, k) => {
        const handedOver = outcome === 'sent' || outcome === 'bounced' || outcome === 'deferred';
        if (!round[k].member.control && !handedOver) bucket.tokens += 1;
        if (outcome === 'stopped') stopped = true;
        else if (outcome === 'sent') result.sent++;
        else if (outcome === 'suppressed') result.suppressed++;
        else if (outcome === 'bounced') result.bounced++;
        else if (outcome === 'deferred') result.deferred++;
      });
    }
    return budget;
  }

  /** Tokens for this tick: refilled by the clock since the last one, at most one second's worth. */
  private bucket(campaignId: string, perSecond: number, now: number): { tokens: number; at: number } {
    const b = this.buckets.get(campaignId) ?? { tokens: perSecond, at: now };
    b.tokens = Math.min(perSecond, b.tokens + (Math.max(0, now - b.at) * perSecond) / 1000);
    b.at = now;
    this.buckets.set(campaignId, b);
    return b;
  }

  private async dispatchOne(campaign: CampaignState, member: CampaignMember, step: CampaignStep, stepIndex: number, now: Date): Promise<Outcome> {
    const campaignId = campaign.campaignId!;
    const definition = campaign.definition!;
    const { customerId } = member;
    // A triggered recipient's messages are keyed by its firing (ids derived from it), a frozen member's by the customer.
    const key = recipientKey(member);
    const at = now.toISOString();
    if (!(await this.stillRunning(campaignId))) return 'stopped';
    const stream = campaignMessageStream(campaignId, key);
    const loaded = await this.messages.load(stream);
    if (!stepOpen(loaded.state, step.stepId, at)) {
      this.note(campaignId, key, loaded.state, loaded.revision);
      return 'skipped';
    }
    const messageId = campaignMessageId(campaignId, key, step.stepId);
    const messageKey = { campaignId, customerId, messageId, stepId: step.stepId, channel: step.channel };
    const variantId = member.variants?.[stepIndex];
    const consent = await this.consentAt(customerId, step, definition.purpose, at);
    const suppress = async (reason: 'no-consent' | 'no-address' | 'control-group' | 'frequency-cap' | 'address-suppressed'): Promise<Outcome> => {
      await this.decide(
        stream,
        key,
        loaded,
        {
          type: 'SuppressMessage',
          data: {
            ...messageKey,
            ...(variantId !== undefined && { variantId }),
            reason,
            suppressedAt: at,
            consent: { status: consent.seen, ...(consent.basis && { basis: consent.basis }) },
          },
        },
        reason === 'address-suppressed' ? this.messagesV2 : this.messages,
      );
      return 'suppressed';
    };
    if (!consent.allowed || !consent.basis) return suppress('no-consent');
    if (member.control || variantId === undefined) return suppress('control-group');
    const customer = await this.customers.get(customerId);
    const to = customer && !customer.mergedInto ? addressOf(customer, step.channel) : undefined;
    if (!customer || to === undefined) return suppress('no-address');
    // The suppression list (a hard bounce, a complaint, staff): an in-memory look-up by the address's key.
    const suppressions = step.channel === 'email' && typeof to === 'string' ? this.options.suppressions : undefined;
    const addressKey = suppressions?.keyOf(to as string);
    if (addressKey !== undefined && suppressions!.isKeySuppressed(addressKey)) return suppress('address-suppressed');
    const attempt = (loaded.state.steps[step.stepId]?.attempts ?? 0) + 1;
    const variant = step.variants.find((v) => v.variantId === variantId) ?? step.variants[0];
    const unsubscribePath = `/unsubscribe?t=${this.links.unsubscribeToken({ customerId, channel: step.channel, purpose: definition.purpose, campaignId, messageId })}`;
    const unsubscribeUrl = `${this.options.publicUrl.replace(/\/+$/, '')}${unsubscribePath}`;
    const values: MergeValues = { name: customer.name, email: emailOf(customer) ?? '', unsubscribeUrl };
    const rendered = this.renderer.render(variant.template, values);

    // The frequency cap across campaigns, judged at send time like consent (a retry of this message does not count against itself).
    const cap = this.options.frequencyCap;
    if (cap && !this.directory.reserveSend(customerId, messageId, now.getTime(), (others) => capReached(cap, others, now.getTime())))
      return suppress('frequency-cap');

    // The intent first: only the dispatcher whose append wins hands the message over (at most once).
    const sent = await this.decide(stream, key, loaded, {
      type: 'SendMessage',
      data: {
        ...messageKey,
        variantId: variant.variantId,
        attempt,
        sentAt: at,
        consentBasis: consent.basis,
        // The address it goes to, as the suppression list keys it: a later bounce or complaint suppresses this address.
        ...(addressKey !== undefined && { addressKey }),
      },
    }).catch((error: unknown) => {
      if (cap) this.directory.releaseSend(customerId, messageId);
      throw error;
    });
    if (!sent.appended) {
      if (cap) this.directory.releaseSend(customerId, messageId);
      return 'skipped';
    }

    const message: OutboundMessage = {
      messageId,
      campaignId,
      stepId: step.stepId,
      variantId: variant.variantId,
      customerId,
      channel: step.channel,
      to,
      ...rendered,
      ...(step.channel === 'email' && {
        headers: { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      }),
    };
    const outcome = await this.handOver(message);
    const report: SendOutcomeReport =
      outcome.status === 'accepted'
        ? { status: 'accepted' }
        : outcome.status === 'bounced'
          ? { status: 'bounced', reason: outcome.reason }
          : { status: 'deferred', reason: outcome.reason, ...(outcome.retryAfterMs !== undefined && { retryAfterMs: outcome.retryAfterMs }) };
    if (outcome.status === 'accepted') {
      // Accepted is what a Sent without a later bounce or deferral means: nothing more to record but the timeline.
      await this.intoTimeline(campaign, customerId, step, variant.variantId, messageId);
      return 'sent';
    }
    const after = await this.decide(stream, key, sent, {
      type: 'RecordOutcome',
      data: { ...messageKey, attempt, at: this.clock.now().toISOString(), outcome: report },
    });
    const hard = after.events.some((e) => e.type === 'CampaignMessageBounced' && e.data.kind === 'hard');
    if (hard && suppressions && addressKey !== undefined && outcome.status === 'bounced')
      await this.suppressAfterBounce(suppressions, addressKey, message, outcome.reason);
    return after.state.steps[step.stepId]?.status === 'bounced' ? 'bounced' : 'deferred';
  }

  /**
   * A hard bounce puts the address on the suppression list: a second append after the bounce's (another
   * stream), idempotent by an event id derived from the message (see EmailSuppressionCommands). Its failure
   * is logged, not thrown: the bounce is recorded and the message is never tried again either way.
   */
  private async suppressAfterBounce(suppressions: EmailSuppressionCommands, addressKey: string, message: OutboundMessage, reason: string): Promise<void> {
    try {
      await suppressions.fromMessage({
        addressKey,
        reason: 'hard-bounce',
        campaignId: message.campaignId,
        messageId: message.messageId,
        customerId: message.customerId,
        note: reason,
        at: this.clock.now().toISOString(),
        actor: DISPATCHER_ACTOR,
        correlationId: message.campaignId,
      });
    } catch (error) {
      this.options.logger?.warn(`campaign dispatcher: the hard bounce of ${message.messageId} did not reach the suppression list (${describeError(error)})`);
    }
  }

  /** The channel's sender; no sender, or one that throws, is a temporary failure (retried with backoff). */
  private async handOver(message: OutboundMessage): Promise<SendOutcome> {
    const sender = this.senders.get(message.channel);
    if (!sender) return { status: 'deferred', reason: `no sender for ${message.channel} is configured` };
    try {
      return await sender.send(message);
    } catch (error) {
      return { status: 'deferred', reason: describeError(error).slice(0, 500) };
    }
  }

  /** A pause or a close takes effect at the next message: the campaign's last event says whether it still runs. */
  private async stillRunning(campaignId: string): Promise<boolean> {
    const [last] = await this.store.readStream(campaignStream(campaignId), { direction: 'backwards', maxCount: 1 });
    return last !== undefined && last.type !== 'CampaignPaused' && last.type !== 'CampaignClosed';
  }

  /** What the customer's consent says for the step's channel and the campaign's purpose now, and the event it rests on. */
  private async consentAt(
    customerId: string,
    step: CampaignStep,
    purpose: string,
    at: string,
  ): Promise<{ allowed: boolean; seen: ConsentSeen; basis?: ConsentBasis }> {
    const recorded = await this.readAll(consentStream(customerId));
    const state = consentAsOf(
      recorded.map((e) => ({ type: e.type, data: e.data }) as ConsentEvent),
      at,
    );
    const decision = mayContact(state, step.channel, purpose, at);
    const basisOf = (revision: number | undefined): ConsentBasis | undefined => {
      const e = revision === undefined ? undefined : recorded[revision];
      return e && { eventId: e.id, position: `${e.position.commit}/${e.position.prepare}`, revision: String(revision) };
    };
    if (decision.allowed) return { allowed: true, seen: 'granted', basis: basisOf(decision.basis.revision) };
    const optOut = state.channelOptOuts[step.channel];
    const basis = basisOf(decision.basis?.revision ?? (decision.reason === 'channel-opted-out' ? optOut?.revision : undefined));
    return { allowed: false, seen: decision.reason, ...(basis && { basis }) };
  }

  private async decide(
    stream: string,
    /** The recipient's key (customer, or firing): where the directory keeps its messages. */
    key: string,
    loaded: { state: CampaignMessagesState; revision: bigint | undefined },
    command: CampaignMessageCommand,
    handler = this.messages,
  ): Promise<{ state: CampaignMessagesState; revision: bigint | undefined; appended: boolean; events: CampaignMessageEvent[] }> {
    const d = command.data;
    const attempt = command.type === 'SuppressMessage' ? 0 : command.data.attempt;
    const r = await handler.handle(
      stream,
      command,
      { correlationId: d.campaignId, actor: DISPATCHER_ACTOR, occurredAt: this.clock.now().toISOString(), visibility: COMPANY_ONLY },
      {
        // The revision that was read: a second dispatcher (or a stale directory) loses here, never sends twice.
        expectedRevision: loaded.revision ?? 'no_stream',
        eventId: (e) => uuidV5(`${d.messageId}/${attempt}/${e.type}`, INTERACTION_NAMESPACE),
      },
    );
    this.note(d.campaignId, key, r.state, r.revision);
    return r;
  }

  /** The message in the customer's timeline: an outbound interaction on its campaign episode (opened with the first message). */
  private async intoTimeline(campaign: CampaignState, customerId: string, step: CampaignStep, variantId: string, messageId: string): Promise<void> {
    const campaignId = campaign.campaignId!;
    const by = campaign.startedBy ?? { subject: 'campaign-dispatcher', department: 'marketing' };
    const principal: Principal = { kind: 'staff', subject: by.subject, department: by.department as Department, roles: [] };
    const episodeId = campaignEpisodeId(campaignId, customerId);
    try {
      await this.episodes.open(
        principal,
        'campaign',
        { episodeId, customerId, name: campaign.definition!.name, channel: step.channel, campaignId },
        { correlationId: campaignId },
      );
    } catch (e) {
      if (!(e instanceof DomainRuleViolation && e.rule === 'episode-exists')) throw e;
    }
    await this.episodes.recordInteraction(
      principal,
      episodeId,
      {
        interactionId: campaignMessageInteractionId(messageId),
        channel: step.channel,
        direction: 'outbound',
        action: `sent campaign message ${step.stepId} (variant ${variantId})`,
        actorKind: 'system',
        actorId: DISPATCHER_ACTOR.id,
        occurredAt: this.clock.now().toISOString(),
      },
      { episodeType: 'campaign', correlationId: campaignId },
    );
  }

  private note(campaignId: string, key: string, state: CampaignMessagesState, revision: bigint | undefined): void {
    if (revision !== undefined) this.directory.noteRecipient(campaignId, key, state, Number(revision));
  }

  private async readAll(streamId: string): Promise<RecordedEvent[]> {
    const all: RecordedEvent[] = [];
    for (let from = 0n; ;) {
      const page = await this.store.readStream(streamId, { fromRevision: from, maxCount: 1000 });
      all.push(...page);
      if (page.length < 1000) return all;
      from = page[page.length - 1].revision + 1n;
    }
  }
}

export type CustomerLike = Omit<LetterAddressee, 'contacts'> & {
  contacts: readonly (LetterAddressee['contacts'][number] & { email?: string; phone?: string })[];
  identities: readonly { kind: string; value: string }[];
};

/** The address an e-mail step goes to: the first contact's e-mail, or the customer's own e-mail identity. */
export function emailOf(c: CustomerLike): string | undefined {
  return c.contacts.find((x) => x.email)?.email ?? c.identities.find((i) => i.kind === 'email')?.value;
}

/** Where the step's message goes: the first contact's e-mail, phone (or the customer's own identity) or postal address. */
function addressOf(c: CustomerLike, channel: CampaignStep['channel']): string | string[] | undefined {
  switch (channel) {
    case 'email':
      return emailOf(c);
    case 'sms':
    case 'phone':
      return c.contacts.find((x) => x.phone)?.phone ?? c.identities.find((i) => i.kind === 'phone')?.value;
    case 'mail':
      return letterAddress(c);
  }
}
