import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, type EventStore } from '@crm/event-store';
import type { Clock } from '@crm/kernel';
import { callDecider, callStream, type CallAggregateState, type CallCommand } from '@crm/relationship';
import { metadataFor, visibilityFor } from '@crm/relationship-api';
import { CLOCK } from '@crm/service-kit';
import { ChannelCases, channelPrincipal } from '../channel-cases';
import { CHANNEL_STORE } from '../channel-store';

/** A provider's call as its webhooks describe it. */
export interface ProviderCall {
  callId: string;
  from: string;
  to: string;
}

const telephony = channelPrincipal('telephony');

/**
 * The telephony webhooks' application commands, on the call aggregate (`call-<callId>`): each loads
 * the call once, decides, appends — so a provider's retried callback changes nothing — and writes
 * on the customer's case through `ChannelCases` (the episode's own commands).
 */
@Injectable()
export class CallCommands {
  private readonly handler: CommandHandler<CallAggregateState, CallCommand, ReturnType<typeof callDecider.decide>[number]>;

  constructor(
    @Inject(CHANNEL_STORE) store: EventStore,
    private readonly cases: ChannelCases,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.handler = new CommandHandler(store, callDecider, { retries: 2 });
  }

  async state(callId: string): Promise<CallAggregateState> {
    return (await this.handler.load(callStream(callId))).state;
  }

  /**
   * A call comes in. A caller whose number a customer holds goes on that customer's recent open
   * case (see `ChannelCases.recentOpenCase`), else on a new phone case; the inbound call is recorded
   * on it. An unknown number is still a call (measured by its `CallEnded`), but opens no case: there
   * is no customer to open it on — the agent who takes it registers or finds the customer and opens
   * the case (`POST /cases`). Offering again (the provider's retry) changes nothing.
   */
  async offer(call: ProviderCall): Promise<NonNullable<CallAggregateState>> {
    const state = (await this.state(call.callId)) ?? (await this.offerNew(call));
    // Recorded on every offer callback, not only the first: its id is named by the call, so this
    // records it once, and also after a failure between the offer and this interaction.
    if (state.case && state.caller)
      await this.cases.record(telephony, state.case, {
        key: call.callId,
        kind: 'call-offered',
        channel: 'phone',
        direction: 'inbound',
        actor: { kind: 'customer', id: state.caller },
        action: 'called the contact centre',
        occurredAt: state.offeredAt,
      });
    return state;
  }

  private async offerNew(call: ProviderCall): Promise<NonNullable<CallAggregateState>> {
    const at = this.now();
    const customerId = await this.cases.customerByPhone(call.from);
    const episodeId = customerId
      ? (await this.cases.caseFor(telephony, customerId, { key: call.callId, channel: 'phone', name: `Phone call of ${at.slice(0, 10)}`, at })).episodeId
      : undefined;
    const r = await this.handler.handle(
      callStream(call.callId),
      { type: 'OfferCall', data: { callId: call.callId, at, ...(customerId && { customerId }), ...(episodeId && { episodeId }) } },
      this.metadata(),
    );
    return r.state!;
  }

  /** The IVR took the caller to self-service or into a team's queue. */
  async route(callId: string, stage: 'self-service' | 'queue', team?: string): Promise<void> {
    await this.handler.handle(callStream(callId), { type: 'RouteCall', data: { callId, stage, ...(team && { team }), at: this.now() } }, this.metadata());
  }

  /** An agent took the call: recorded once on the call and on its case. */
  async answer(call: ProviderCall, agentId: string): Promise<void> {
    await this.offer(call);
    const r = await this.handler.handle(
      callStream(call.callId),
      { type: 'AnswerCall', data: { callId: call.callId, at: this.now(), agentId } },
      this.metadata(),
    );
    const state = r.state!;
    // As on the offer: recorded on every in-progress callback, once by its named id.
    if (state.case && state.answeredAt)
      await this.cases.record(telephony, state.case, {
        key: call.callId,
        kind: 'call-answered',
        channel: 'phone',
        direction: 'inbound',
        actor: { kind: 'staff', id: agentId },
        action: 'answered the call',
        occurredAt: state.answeredAt!,
      });
  }

  /** The call ended (completed, or never answered: no-answer, busy, canceled, failed): `CallEnded` once. */
  async end(call: ProviderCall): Promise<void> {
    await this.offer(call);
    await this.handler.handle(callStream(call.callId), { type: 'EndCall', data: { callId: call.callId, at: this.now(), from: call.from } }, this.metadata());
  }

  private metadata() {
    return metadataFor(telephony, this.clock, visibilityFor(telephony));
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}
