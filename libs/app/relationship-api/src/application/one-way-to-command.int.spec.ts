import { randomUUID } from 'node:crypto';
import { TestClock } from '@crm/kernel';
import type { PartnerPrincipal } from '@crm/service-kit';
import { createRelationshipCommands, type RelationshipCommands } from './relationship-commands';
import { openCountingStore, STAFF, type CountingEventStore } from '../testing/command-store';

// The application layer: a command takes the actor, its time from the clock, loads each aggregate
// once, checks access on that state, decides, appends.
describe('one way to command', () => {
  let store: CountingEventStore;
  let close: () => Promise<void>;
  let commands: RelationshipCommands;
  const clock = new TestClock('2026-03-01T09:00:00.000Z');
  const { manager, seller } = STAFF;
  let partnerId: string;
  let partner: PartnerPrincipal;
  let customerId: string;

  beforeAll(async () => {
    ({ store, close } = await openCountingStore());
    commands = createRelationshipCommands(store, { clock, retries: 2 });
    partnerId = (await commands.partners.register(manager, { name: 'Repair Co', partnerKind: 'service-provider' })).id;
    partner = { kind: 'partner', subject: `${partnerId}.bob`, partnerId, roles: [] };
    customerId = (await commands.customers.register(seller, { kind: 'person', name: 'Dewi' })).id;
    await commands.partners.shareCustomer(manager, partnerId, customerId);
  });
  afterAll(async () => {
    await close();
  });

  it('takes the time from the injected clock: defaults and metadata', async () => {
    clock.set('2026-03-02T10:00:00.000Z');
    const { id } = await commands.episodes.open(seller, 'opportunity', { customerId, name: 'Fleet' });
    const [opened] = await store.readStream(`episode-${id}`);
    expect((opened.data as { openedAt: string }).openedAt).toBe('2026-03-02T10:00:00.000Z');
    expect(opened.metadata.occurredAt).toBe('2026-03-02T10:00:00.000Z');
    clock.advance(60_000);
    await commands.episodes.recordInteraction(seller, id, { channel: 'phone', direction: 'outbound', action: 'called' });
    const [, recorded] = await store.readStream(`episode-${id}`);
    expect((recorded.data as { interaction: { occurredAt: string } }).interaction.occurredAt).toBe('2026-03-02T10:01:00.000Z');
  });

  it("a partner's write reads the episode once and the partner once", async () => {
    const { id } = await commands.episodes.open(partner, 'return-repair', { customerId, name: 'Repair' });
    store.reads.clear();
    await commands.episodes.recordInteraction(partner, id, { channel: 'portal', direction: 'inbound', action: 'unit received' });
    expect(Object.fromEntries(store.reads)).toEqual({ [`episode-${id}`]: 1, [`partner-${partnerId}`]: 1 });
  });

  it('a partner naming company staff as the actor breaks a domain rule, and nothing is stored', async () => {
    const { id } = await commands.episodes.open(partner, 'return-repair', { customerId, name: 'Repair 2' });
    const attempt = commands.episodes.recordInteraction(partner, id, { channel: 'portal', direction: 'inbound', action: 'x', actorKind: 'staff' });
    await expect(attempt).rejects.toMatchObject({ name: 'DomainRuleViolation', code: 'partner-cannot-act-as-staff' });
    expect(await store.readStream(`episode-${id}`)).toHaveLength(1);
  });

  it("access is checked on the loaded state: another partner's or a department's episode reads as missing", async () => {
    const other: PartnerPrincipal = { kind: 'partner', subject: 'x.eve', partnerId: randomUUID(), roles: [] };
    const own = await commands.episodes.open(partner, 'partner-deal', { customerId, name: 'Deal' });
    await expect(commands.episodes.close(other, own.id, { outcome: 'lost' })).rejects.toMatchObject({ name: 'NotFoundError' });
    const company = await commands.episodes.open(seller, 'opportunity', { customerId, name: 'Company deal' });
    await expect(commands.episodes.close(partner, company.id, { outcome: 'lost' })).rejects.toMatchObject({ name: 'NotFoundError' });
    // and a stale If-Match on a hidden episode is still a 404, never a 412 that would confirm it exists
    await expect(commands.episodes.close(partner, company.id, { outcome: 'lost' }, { expectedRevision: 99n })).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('once the share is revoked, the partner can no longer write on its own episode there', async () => {
    const customer = (await commands.customers.register(seller, { kind: 'person', name: 'Rina' })).id;
    await commands.partners.shareCustomer(manager, partnerId, customer);
    const own = await commands.episodes.open(partner, 'return-repair', { customerId: customer, name: 'Repair 3' });
    await commands.partners.revokeShare(manager, partnerId, customer);
    await expect(commands.episodes.recordInteraction(partner, own.id, { channel: 'portal', direction: 'inbound', action: 'x' })).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    await expect(commands.episodes.open(partner, 'return-repair', { customerId: customer, name: 'Repair 4' })).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('partner administration answers 404 for what does not exist, from the state it loaded', async () => {
    await expect(commands.partners.issueCredential(manager, randomUUID(), 'c', 'h')).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(commands.partners.revokeCredential(manager, partnerId, `${partnerId}.nosuch`)).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(commands.partners.revokeShare(manager, partnerId, randomUUID())).rejects.toMatchObject({ name: 'NotFoundError' });
  });
});
