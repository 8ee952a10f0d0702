import { DomainRuleViolation, type Decider } from '@crm/kernel';

/**
 * One telephone call, on stream `call-<callId>` (the provider's call id, e.g. Twilio's CallSid): the
 * telephony webhook's status callbacks become commands on it, so a provider that retries a callback
 * (they all do, on a timeout) changes nothing the second time, and `CallEnded` is recorded once.
 *
 * The events besides `CallEnded` are private to the service (not integration contracts). They carry
 * neither `customerId` nor `callId` on purpose: the relay publishes any event with a `customerId`,
 * and any event with a `callId` on a `call-` stream (see libs/app/relay integration-mapping.ts). Nor
 * do they keep the caller's number: unregistered events are not sealed as personal data, so only
 * `CallEnded` (whose `from` the contract marks personal) carries it.
 */
export type CallStage = 'ivr' | 'self-service' | 'queue' | 'agent';

export interface CallState {
  readonly offeredAt: string;
  readonly caller?: string;
  readonly case?: string;
  readonly answeredAt?: string;
  readonly agent?: string;
  readonly team?: string;
  readonly stage: CallStage;
  readonly ended: boolean;
}

export type CallEvent =
  | { type: 'CallOffered'; data: { sid: string; offeredAt: string; caller?: string; case?: string } }
  | { type: 'CallRouted'; data: { sid: string; stage: 'self-service' | 'queue'; team?: string; at: string } }
  | { type: 'CallAnswered'; data: { sid: string; answeredAt: string; agent?: string } }
  | {
      type: 'CallEnded';
      data: {
        callId: string;
        customerId?: string;
        episodeId?: string;
        agentId?: string;
        team?: string;
        from: string;
        offeredAt: string;
        answeredAt?: string;
        endedAt: string;
        abandoned: boolean;
        handleSeconds: number;
        containedInIvr: boolean;
      };
    };

export type CallCommand =
  | { type: 'OfferCall'; data: { callId: string; at: string; customerId?: string; episodeId?: string } }
  /** The IVR took the caller to self-service (order status, case status) or to a queue (a team). */
  | { type: 'RouteCall'; data: { callId: string; stage: 'self-service' | 'queue'; team?: string; at: string } }
  | { type: 'AnswerCall'; data: { callId: string; at: string; agentId?: string } }
  /** `from`: the caller's number, as the provider's last callback repeats it (the private events keep no number: see above). */
  | { type: 'EndCall'; data: { callId: string; at: string; from: string } };

export type CallAggregateState = CallState | undefined;

const seconds = (from: string, to: string) => Math.max(0, Math.floor((Date.parse(to) - Date.parse(from)) / 1000));

export const callStream = (callId: string) => `call-${callId}`;

export const callDecider: Decider<CallAggregateState, CallCommand, CallEvent> = {
  initialState: undefined,
  evolve: (state, event) => {
    switch (event.type) {
      case 'CallOffered':
        return {
          offeredAt: event.data.offeredAt,
          caller: event.data.caller,
          case: event.data.case,
          stage: 'ivr',
          ended: false,
        };
      case 'CallRouted':
        return state && { ...state, stage: event.data.stage, team: event.data.team ?? state.team };
      case 'CallAnswered':
        return state && { ...state, stage: 'agent', answeredAt: event.data.answeredAt, agent: event.data.agent };
      case 'CallEnded':
        return state && { ...state, ended: true };
    }
  },
  decide: (command, state) => {
    const { callId } = command.data;
    if (command.type === 'OfferCall') {
      // A provider's retry of the first callback: the call is already there.
      if (state) return [];
      const { at, customerId, episodeId } = command.data;
      return [
        {
          type: 'CallOffered',
          data: {
            sid: callId,
            offeredAt: at,
            ...(customerId !== undefined && { caller: customerId }),
            ...(episodeId !== undefined && { case: episodeId }),
          },
        },
      ];
    }
    if (!state) throw new DomainRuleViolation('call-not-offered', `call ${callId} was never offered`);
    // Whatever comes after the end (a late or repeated callback) changes nothing.
    if (state.ended) return [];
    switch (command.type) {
      case 'RouteCall':
        if (state.answeredAt || (state.stage === command.data.stage && state.team === command.data.team)) return [];
        return [
          {
            type: 'CallRouted',
            data: { sid: callId, stage: command.data.stage, ...(command.data.team !== undefined && { team: command.data.team }), at: command.data.at },
          },
        ];
      case 'AnswerCall':
        if (state.answeredAt) return [];
        return [
          {
            type: 'CallAnswered',
            data: { sid: callId, answeredAt: command.data.at, ...(command.data.agentId !== undefined && { agent: command.data.agentId }) },
          },
        ];
      case 'EndCall': {
        const answered = state.answeredAt !== undefined;
        // Contained: the caller ended in self-service, never queued for or talked to an agent.
        const containedInIvr = !answered && state.stage === 'self-service';
        return [
          {
            type: 'CallEnded',
            data: {
              callId,
              ...(state.caller !== undefined && { customerId: state.caller }),
              ...(state.case !== undefined && { episodeId: state.case }),
              ...(state.agent !== undefined && { agentId: state.agent }),
              ...(state.team !== undefined && { team: state.team }),
              from: command.data.from,
              offeredAt: state.offeredAt,
              ...(answered && { answeredAt: state.answeredAt }),
              endedAt: command.data.at,
              abandoned: !answered && !containedInIvr,
              handleSeconds: answered ? seconds(state.answeredAt!, command.data.at) : 0,
              containedInIvr,
            },
          },
        ];
      }
    }
  },
};
