import { crmRegistry } from '@crm/contracts';
import type { EventStore } from '@crm/event-store';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { TestClock } from '@crm/kernel';
import type { StaffPrincipal } from '@crm/service-kit';
import { PgliteSession } from '@crm/sql-clients';
import { createRelationshipCommands, type RelationshipCommands } from '../application/relationship-commands';
import { contractCheckedStore } from '../contract-checked-store';
import { activityInteractionId } from './activity-commands';

// One way to command, for activities: the activity is loaded once, access judged on it (403 before
// a stale If-Match's 412), and a completion whose second write (the episode's interaction) was lost
// is finished by sending it again.
describe('activity commands (PGlite store)', () => {
  let session: PgliteSession;
  let pg: PostgresEventStore;
  let reads: Map<string, number>;
  let commands: RelationshipCommands;
  const clock = new TestClock('2026-03-01T09:00:00.000Z');
  const sari: StaffPrincipal = { kind: 'staff', subject: 'sari', department: 'sales', roles: ['agent'] };
  const budi: StaffPrincipal = { kind: 'staff', subject: 'budi', department: 'sales', roles: ['agent'] };
  let customerId: string;
  let episodeId: string;

  const counted = (s: EventStore): EventStore =>
    Object.assign(Object.create(s) as EventStore, {
      readStream: (streamId: string, options?: Parameters<EventStore['readStream']>[1]) => {
        reads.set(streamId, (reads.get(streamId) ?? 0) + 1);
        return s.readStream(streamId, options);
      },
    });

  beforeAll(async () => {
    session = await PgliteSession.open();
    pg = new PostgresEventStore(session.sqlClient());
    await pg.migrate();
    reads = new Map();
    commands = createRelationshipCommands(counted(contractCheckedStore(pg, crmRegistry())), { clock, retries: 2 });
    customerId = (await commands.customers.register(sari, { kind: 'organisation', name: 'PT Maju' })).id;
    episodeId = (await commands.episodes.open(sari, 'opportunity', { customerId, name: 'Fleet' })).id;
  });
  afterAll(async () => {
    await session.close();
  });

  it('a change reads the activity once; a completion reads the activity once and the episode once', async () => {
    const { id } = await commands.activities.plan(sari, { kind: 'call', episodeId, subject: 'Budget', dueAt: '2026-03-02T09:00:00Z' });
    reads.clear();
    await commands.activities.reschedule(sari, id, { dueAt: '2026-03-03T09:00:00Z' });
    expect(Object.fromEntries(reads)).toEqual({ [`activity-${id}`]: 1 });
    reads.clear();
    await commands.activities.complete(sari, id, { response: 'yes' });
    expect(Object.fromEntries(reads)).toEqual({ [`activity-${id}`]: 1, [`episode-${episodeId}`]: 1 });
  });

  it("someone else's activity: 403 before a stale If-Match's 412, and nothing is stored", async () => {
    const { id } = await commands.activities.plan(sari, { kind: 'call', customerId, subject: 'Budget', dueAt: '2026-03-02T09:00:00Z' });
    await expect(commands.activities.cancel(budi, id, undefined, { expectedRevision: 7n })).rejects.toMatchObject({
      status: 403,
      extensions: { code: 'not-owner' },
    });
    await expect(commands.activities.cancel(sari, id, undefined, { expectedRevision: 7n })).rejects.toMatchObject({ name: 'ConcurrencyConflictError' });
    expect((await pg.readStream(`activity-${id}`)).map((e) => e.type)).toEqual(['ActivityPlanned']);
  });

  it('a completion whose episode interaction was lost (a crash between the two writes) is finished by sending it again, recording it once', async () => {
    const { id } = await commands.activities.plan(sari, { kind: 'meeting', durationMinutes: 30, episodeId, subject: 'Demo', dueAt: '2026-03-02T09:00:00Z' });
    // the episode's append fails after the activity's succeeded
    const crashing = Object.assign(Object.create(pg) as EventStore, {
      appendToStream: async (...args: Parameters<EventStore['appendToStream']>) => {
        if (args[0].startsWith('episode-')) throw new Error('connection lost');
        return pg.appendToStream(...args);
      },
    });
    const broken = createRelationshipCommands(contractCheckedStore(crashing, crmRegistry()), { clock });
    await expect(broken.activities.complete(sari, id, { response: 'they liked it' })).rejects.toThrow('connection lost');
    const interactionId = activityInteractionId(id);
    const onEpisode = async () =>
      (await pg.readStream(`episode-${episodeId}`)).filter(
        (e) => (e.data as { interaction?: { interactionId: string } }).interaction?.interactionId === interactionId,
      );
    expect(await onEpisode()).toHaveLength(0);
    const again = await commands.activities.complete(sari, id, {});
    expect(again).toMatchObject({ interactionId, recordedOn: 'episode' });
    expect(await commands.activities.complete(sari, id, {})).toMatchObject({ interactionId, recordedOn: 'episode' });
    const recorded = await onEpisode();
    expect(recorded).toHaveLength(1);
    expect(recorded[0].data).toMatchObject({ interaction: { channel: 'face-to-face', response: 'they liked it', actor: { kind: 'staff', id: 'sari' } } });
    expect((await pg.readStream(`activity-${id}`)).filter((e) => e.type === 'ActivityCompleted')).toHaveLength(1);
  });
});
