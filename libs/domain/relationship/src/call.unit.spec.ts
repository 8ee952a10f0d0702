import { DeciderSpecification } from '@crm/kernel/testing';
import { callDecider, type CallEvent } from './call';

const given = DeciderSpecification.for(callDecider);
const at = (time: string) => `2026-03-02T${time}.000Z`;
const offered: CallEvent = {
  type: 'CallOffered',
  data: { sid: 'CA1', offeredAt: at('09:00:00'), caller: 'c1', case: 'e1' },
};
const answered: CallEvent = { type: 'CallAnswered', data: { sid: 'CA1', answeredAt: at('09:01:00'), agent: 'dewi' } };
const selfService: CallEvent = { type: 'CallRouted', data: { sid: 'CA1', stage: 'self-service', at: at('09:00:20') } };
const queued: CallEvent = { type: 'CallRouted', data: { sid: 'CA1', stage: 'queue', team: 'billing', at: at('09:00:30') } };
const end = (time: string) => ({ type: 'EndCall' as const, data: { callId: 'CA1', at: at(time), from: '+6281234567' } });
const ended = { callId: 'CA1', customerId: 'c1', episodeId: 'e1', from: '+6281234567', offeredAt: at('09:00:00') };

describe('call: offered', () => {
  it('is offered once; the provider repeating the first callback changes nothing', () => {
    const offer = {
      type: 'OfferCall' as const,
      data: { callId: 'CA1', at: at('09:00:00'), customerId: 'c1', episodeId: 'e1' },
    };
    given([]).when(offer).then(offered);
    given([offered]).when(offer).thenNothingHappens();
  });

  it('from an unknown number: no customer, no case', () => {
    given([])
      .when({ type: 'OfferCall', data: { callId: 'CA2', at: at('09:00:00') } })
      .then({ type: 'CallOffered', data: { sid: 'CA2', offeredAt: at('09:00:00') } });
  });

  it('a callback for a call never offered is refused', () => {
    given([]).when(end('09:05:00')).thenBreaks('call-not-offered');
  });
});

describe('call: ended', () => {
  it('answered by an agent: handle time is answered → ended, not abandoned', () => {
    given([offered, queued, answered])
      .when(end('09:05:30'))
      .then({
        type: 'CallEnded',
        data: {
          ...ended,
          agentId: 'dewi',
          team: 'billing',
          answeredAt: at('09:01:00'),
          endedAt: at('09:05:30'),
          abandoned: false,
          handleSeconds: 270,
          containedInIvr: false,
        },
      });
  });

  it('hung up in the queue before an agent answered: abandoned, no handle time', () => {
    given([offered, queued])
      .when(end('09:02:00'))
      .then({ type: 'CallEnded', data: { ...ended, team: 'billing', endedAt: at('09:02:00'), abandoned: true, handleSeconds: 0, containedInIvr: false } });
  });

  it('ended in self-service without an agent: contained in the IVR, not abandoned', () => {
    given([offered, selfService])
      .when(end('09:01:10'))
      .then({ type: 'CallEnded', data: { ...ended, endedAt: at('09:01:10'), abandoned: false, handleSeconds: 0, containedInIvr: true } });
  });

  it('self-service, then the queue, then hung up: abandoned, not contained', () => {
    given([offered, selfService, queued])
      .when(end('09:03:00'))
      .then({ type: 'CallEnded', data: { ...ended, team: 'billing', endedAt: at('09:03:00'), abandoned: true, handleSeconds: 0, containedInIvr: false } });
  });

  it('is recorded once, however often the provider repeats the completed callback; nothing changes a call after its end', () => {
    const callEnded: CallEvent = {
      type: 'CallEnded',
      data: { ...ended, endedAt: at('09:02:00'), abandoned: true, handleSeconds: 0, containedInIvr: false },
    };
    given([offered, callEnded]).when(end('09:02:05')).thenNothingHappens();
    given([offered, callEnded])
      .when({ type: 'AnswerCall', data: { callId: 'CA1', at: at('09:02:06') } })
      .thenNothingHappens();
  });
});

describe('call: answered and routed', () => {
  it('is answered once (a repeated in-progress callback changes nothing); routing after the answer changes nothing', () => {
    given([offered])
      .when({ type: 'AnswerCall', data: { callId: 'CA1', at: at('09:01:00'), agentId: 'dewi' } })
      .then(answered);
    given([offered, answered])
      .when({ type: 'AnswerCall', data: { callId: 'CA1', at: at('09:01:02') } })
      .thenNothingHappens();
    given([offered, answered])
      .when({ type: 'RouteCall', data: { callId: 'CA1', stage: 'queue', team: 'billing', at: at('09:01:03') } })
      .thenNothingHappens();
  });

  it('routing to the stage it is already in changes nothing', () => {
    given([offered, queued])
      .when({ type: 'RouteCall', data: { callId: 'CA1', stage: 'queue', team: 'billing', at: at('09:01:03') } })
      .thenNothingHappens();
  });
});
