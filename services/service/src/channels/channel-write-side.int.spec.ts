import { crmRegistry } from '@crm/contracts';
import { CommandHandler } from '@crm/event-store';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { callDecider, callStream } from '@crm/relationship';
import { ContractViolationError, contractCheckedStore } from '@crm/relationship-api';
import { toIntegrationEvent } from '@crm/relay';
import { PgliteSession } from '@crm/sql-clients';

// The channels write through the contract check like every command: each CallEnded the call
// aggregate can decide (answered, abandoned, contained, unknown caller) validates against its
// contract and is published; one that would not is refused and nothing is stored.
describe('the channels write side and the CallEnded contract', () => {
  let session: PgliteSession;
  let store: PostgresEventStore;
  const registry = crmRegistry();
  const metadata = { correlationId: 'c1', actor: { kind: 'staff' as const, id: 'telephony' }, occurredAt: '2026-03-02T09:00:00.000Z' };

  beforeAll(async () => {
    session = await PgliteSession.open();
    store = new PostgresEventStore(session.sqlClient());
    await store.migrate();
  });
  afterAll(async () => {
    await session.close();
  });

  it('every CallEnded the call aggregate decides validates against its contract and is published under its customer or its call', async () => {
    const calls = new CommandHandler(contractCheckedStore(store, registry), callDecider);
    const at = (t: string) => `2026-03-02T${t}.000Z`;
    const run = async (callId: string, customer: boolean, steps: ('self-service' | 'queue' | 'answer')[]) => {
      await calls.handle(
        callStream(callId),
        { type: 'OfferCall', data: { callId, at: at('09:00:00'), ...(customer && { customerId: 'cust-1', episodeId: 'ep-1' }) } },
        metadata,
      );
      for (const step of steps)
        await calls.handle(
          callStream(callId),
          step === 'answer'
            ? { type: 'AnswerCall', data: { callId, at: at('09:01:00'), agentId: 'dewi' } }
            : { type: 'RouteCall', data: { callId, stage: step, ...(step === 'queue' && { team: 'billing' }), at: at('09:00:30') } },
          metadata,
        );
      await calls.handle(callStream(callId), { type: 'EndCall', data: { callId, at: at('09:03:00'), from: '+6281234567890' } }, metadata);
      return (await store.readStream(callStream(callId))).find((e) => e.type === 'CallEnded')!;
    };
    const ended = [
      await run('CA-answered', true, ['queue', 'answer']),
      await run('CA-abandoned', true, ['queue']),
      await run('CA-contained', true, ['self-service']),
      await run('CA-unknown', false, []),
    ];
    for (const event of ended) {
      expect(registry.payloadProblems('CallEnded', 1, event.data)).toEqual([]);
      const published = toIntegrationEvent(event)!;
      expect(published.subject).toBe((event.data as { customerId?: string }).customerId ?? (event.data as { callId: string }).callId);
    }
    // The private events of a call carry nothing the relay would publish.
    const offered = (await store.readStream(callStream('CA-answered'))).filter((e) => e.type !== 'CallEnded');
    expect(offered.map((e) => toIntegrationEvent(e))).toEqual([undefined, undefined, undefined]);
  });

  it('a CallEnded that would break its contract is refused, and nothing is stored', async () => {
    const checked = contractCheckedStore(store, registry);
    const append = checked.appendToStream(callStream('CA-bad'), [
      {
        id: '6f1c3b0e-8a5d-4c1f-9e2b-7a4d5c6e8f90',
        type: 'CallEnded',
        data: { callId: 'CA-bad', from: '', offeredAt: 'yesterday', endedAt: 'now' },
        metadata: { ...metadata, causationId: 'c1' },
      },
    ]);
    await expect(append).rejects.toBeInstanceOf(ContractViolationError);
    expect(await store.readStream(callStream('CA-bad'))).toEqual([]);
  });
});
