import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { TestClock } from '@crm/kernel';
import { contractCheckedStore, CustomerCommands, createRelationshipCommands } from '@crm/relationship-api';
import { openCountingStore, type CountingEventStore } from '@crm/relationship-api/testing';
import { toIntegrationEvent } from '@crm/relay';
import type { StaffPrincipal } from '@crm/service-kit';
import { ConsentCommands } from './consent-commands';

// The write side accepts exactly what the contracts accept: every consent event the preference centre
// and double opt-in produce (through ConsentCommands, over the contract-checked store) validates
// against its published contract.
describe('the consent write side (preference centre, double opt-in) and the consent contracts', () => {
  let store: CountingEventStore;
  let close: () => Promise<void>;
  const registry = crmRegistry();
  const clock = new TestClock('2026-05-01T10:00:00.000Z');
  const marketer: StaffPrincipal = { kind: 'staff', subject: 'mira', department: 'marketing', roles: [] };

  beforeAll(async () => {
    ({ store, close } = await openCountingStore());
  });
  afterAll(async () => {
    await close();
  });

  it('ConsentRequested, ConsentGranted (preference-centre, double-opt-in) and ConsentWithdrawn (preference-centre) validate against their contracts', async () => {
    const checked = contractCheckedStore(store, registry);
    const relationship = createRelationshipCommands(checked, { clock });
    const customerId = (await relationship.customers.register(marketer, { kind: 'person', name: 'Sari Wijaya' })).id;
    const consent = new ConsentCommands(checked, relationship.customers as CustomerCommands, clock);

    clock.advance(1000);
    await consent.setPreferences(
      customerId,
      [
        { channel: 'email', purpose: 'newsletter', granted: true },
        { channel: 'sms', purpose: 'offers', granted: true },
      ],
      { textVersion: 'preference-centre-2026-05', ipAddress: '203.0.113.7', userAgent: 'TestBrowser/1.0' },
    );
    clock.advance(1000);
    await consent.setPreferences(customerId, [{ channel: 'sms', purpose: 'offers', granted: false }], { textVersion: 'preference-centre-2026-05' });
    clock.advance(1000);
    const requestId = randomUUID();
    await consent.requestConsent(marketer, customerId, {
      requestId,
      channel: 'email',
      purpose: 'offers',
      source: 'form',
      evidence: { textVersion: 'offers-2026-05', formId: 'footer-signup' },
      validForMs: 7 * 86_400_000,
    });
    clock.advance(60_000);
    expect(await consent.confirmConsent(customerId, requestId, { ipAddress: '203.0.113.8', userAgent: 'TestBrowser/1.0' })).toBe('confirmed');
    expect(await consent.confirmConsent(customerId, requestId, {})).toBe('already-confirmed');

    const stored = await store.readStream(`consent-${customerId}`);
    expect(stored.map((e) => `${e.type}:${(e.data as { source: string }).source}`)).toEqual([
      'ConsentGranted:preference-centre',
      'ConsentGranted:preference-centre',
      'ConsentWithdrawn:preference-centre',
      'ConsentRequested:form',
      'ConsentGranted:double-opt-in',
    ]);
    for (const event of stored) {
      expect(registry.payloadProblems(event.type, 1, event.data)).toEqual([]);
      const published = toIntegrationEvent(event);
      if (published && registry.has(published.type, published.schemaversion)) expect(() => registry.validate(published)).not.toThrow();
    }
  });
});
