import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { ProjectionSpecification, type SpecEvent } from '@crm/projections/testing';
import { InvalidCursorError } from './keyset-cursor';
import { LeadListEntry } from './lead-list.entities';
import { leadListProjection, type LeadListEvent } from './lead-list.projection';
import { leadsAssignedByRule, searchLeads, type LeadSearch } from './lead-search.query';

const given = ProjectionSpecification.for({ projection: leadListProjection('l'), registry: crmRegistry() });

const captured = (leadId: string, over: Partial<Extract<LeadListEvent, { type: 'LeadCaptured' }>['data']> = {}, minute = 0): SpecEvent<LeadListEvent> => ({
  type: 'LeadCaptured',
  subject: leadId,
  data: {
    leadId,
    source: 'web-form',
    name: 'Rina Kartika',
    company: 'CV Sinar',
    email: 'rina@sinar.example',
    qualification: { need: 'ten vans' },
    capturedAt: new Date(Date.UTC(2026, 2, 1, 9, minute)).toISOString(),
    ...over,
  },
});
const ev = (type: LeadListEvent['type'], data: { leadId: string } & Record<string, unknown>) =>
  ({ type, subject: data.leadId, data }) as unknown as SpecEvent<LeadListEvent>;
const now = new Date('2026-03-01T12:00:00.000Z');
const search = (s: Partial<LeadSearch> = {}): LeadSearch => ({ limit: 50, now, ...s });

// The leads list sales keeps (GET /leads), over PGlite: given events, when events, then rows.
describe('leads list read model (PGlite)', () => {
  it('keeps each lead with status, owner and the rule that assigned it, score and capture time', async () => {
    const leadId = randomUUID();
    await given([captured(leadId, { country: 'ID', region: 'java-west', phone: '+62 21 555', externalId: 'form-1' })])
      .when([
        ev('LeadAssigned', { leadId, owner: 'ani', rule: 'java' }),
        ev('LeadQualified', { leadId, qualification: { budget: 5_000_000, currency: 'IDR', authority: true, need: 'vans', timeline: '2026-04-01' } }),
      ])
      .thenRows(LeadListEntry, [
        {
          leadId,
          name: 'Rina Kartika',
          company: 'CV Sinar',
          source: 'web-form',
          externalId: 'form-1',
          country: 'ID',
          region: 'java-west',
          status: 'qualified',
          owner: 'ani',
          assignedByRule: 'java',
          baseScore: 80, // budget, authority, need, reachable both ways; the 90-day rule is the query's
          timeline: new Date('2026-04-01T00:00:00.000Z'),
          capturedAt: new Date('2026-03-01T09:00:00.000Z'),
        },
      ]);
  });

  it('closes leads: disqualified, converted (naming the customer); an assignment by hand names no rule', async () => {
    const [a, b] = [randomUUID(), randomUUID()].sort();
    const customerId = randomUUID();
    await given([captured(a), captured(b), ev('LeadAssigned', { leadId: a, owner: 'ani', rule: 'java' })])
      .when([
        ev('LeadAssigned', { leadId: a, owner: 'sari' }),
        ev('LeadDisqualified', { leadId: a, reason: 'no budget', disqualifiedAt: '2026-03-02T00:00:00.000Z' }),
        ev('LeadConverted', { leadId: b, customerId, opportunityId: randomUUID(), convertedAt: '2026-03-02T00:00:00.000Z' }),
      ])
      .thenRows(LeadListEntry, [
        { leadId: a, status: 'disqualified', owner: 'sari', assignedByRule: null },
        { leadId: b, status: 'converted', customerId },
      ]);
  });

  it('a capture delivered again changes nothing; a change to a lead it never saw is parked, and what follows it', async () => {
    const leadId = randomUUID();
    const ghost = randomUUID();
    await given([captured(leadId)])
      .when([
        captured(leadId, { name: 'Someone else' }),
        ev('LeadAssigned', { leadId: ghost, owner: 'ani' }),
        ev('LeadDisqualified', { leadId: ghost, reason: 'x', disqualifiedAt: '2026-03-02T00:00:00.000Z' }),
      ])
      .thenParks([`lead ${ghost} is not in the leads list`, 'waiting behind parked event'], async (manager) => {
        expect(await manager.getRepository(LeadListEntry).findOneBy({ leadId })).toMatchObject({ name: 'Rina Kartika' });
      });
  });

  it('filters, searches, sorts and pages with a stable order; the score is the one GET /leads/{id} shows at that moment', async () => {
    const ids = Array.from({ length: 5 }, () => randomUUID());
    await given([
      captured(ids[0], { name: 'Ánh Nguyễn', company: 'PT Maju Jaya', email: 'anh@maju.example', source: 'event' }, 1),
      captured(ids[1], { name: 'Budi Santoso', company: undefined, email: 'budi@mail.example', phone: '+62 1', qualification: {} }, 2),
      captured(ids[2], { name: 'Citra', company: 'CV Sinar', email: 'citra@sinar.example', source: 'import', externalId: 'row-7' }, 3),
      captured(ids[3], { name: 'Dewi', company: 'Toko Dewi', email: 'dewi@toko.example', qualification: { need: 'x', timeline: '2026-04-15' } }, 4),
      captured(ids[4], { name: 'Eko', company: 'Eko Jaya', email: 'eko@jaya.example', qualification: { timeline: '2026-09-01' } }, 5),
      ev('LeadAssigned', { leadId: ids[1], owner: 'ani', rule: 'rr' }),
      ev('LeadAssigned', { leadId: ids[2], owner: 'ani', rule: 'rr' }),
      ev('LeadDisqualified', { leadId: ids[4], reason: 'too far out', disqualifiedAt: '2026-03-02T00:00:00.000Z' }),
    ])
      .when([])
      .then(async (manager) => {
        const names = async (s: Partial<LeadSearch>) => (await searchLeads(manager, search(s))).items.map((i) => i.name);
        expect(await names({})).toEqual(['Eko', 'Dewi', 'Citra', 'Budi Santoso', 'Ánh Nguyễn']); // newest first
        expect(await names({ q: 'anh maju' })).toEqual(['Ánh Nguyễn']);
        expect(await names({ q: 'JAYA' })).toEqual(['Eko', 'Ánh Nguyễn']); // company
        expect(await names({ q: 'sinar.example' })).toEqual(['Citra']); // e-mail
        expect(await names({ statuses: ['new', 'qualified'] })).toEqual(['Dewi', 'Citra', 'Budi Santoso', 'Ánh Nguyễn']);
        expect(await names({ sources: ['event', 'import'] })).toEqual(['Citra', 'Ánh Nguyễn']);
        expect(await names({ owner: 'ani' })).toEqual(['Citra', 'Budi Santoso']);
        expect(await names({ unassigned: true, sort: 'name' })).toEqual(['Ánh Nguyễn', 'Dewi', 'Eko']);
        expect(await names({ capturedFrom: new Date('2026-03-01T09:02:00Z'), capturedTo: new Date('2026-03-01T09:04:00Z') })).toEqual([
          'Citra',
          'Budi Santoso',
        ]);
        // Dewi: need 20 + buying within 90 days 20; Budi: reachable both ways 10; the rest: need 20 / nothing
        const scored = (await searchLeads(manager, search({ sort: 'score' }))).items.map((i) => [i.name, i.score]);
        const tie = [ids[0], ids[2]].sort()[0] === ids[0] ? ['Ánh Nguyễn', 'Citra'] : ['Citra', 'Ánh Nguyễn']; // ties by lead id
        expect(scored).toEqual([
          ['Dewi', 40],
          [tie[0], 20],
          [tie[1], 20],
          ['Budi Santoso', 10],
          ['Eko', 0],
        ]);
        expect(await names({ scoreMin: 20, scoreMax: 30, sort: 'name' })).toEqual(['Ánh Nguyễn', 'Citra']);
        // Three months on, Dewi's purchase date has passed: the score follows the clock.
        expect((await searchLeads(manager, search({ q: 'dewi', now: new Date('2026-06-01T00:00:00Z') }))).items[0].score).toBe(20);
        // Pages of two, in every sort: together exactly the whole list, in its order.
        for (const sort of ['captured-at', 'score', 'name'] as const) {
          const whole = (await searchLeads(manager, search({ sort }))).items.map((i) => i.leadId);
          const paged: string[] = [];
          let cursor: string | undefined;
          do {
            const page = await searchLeads(manager, search({ sort, limit: 2, cursor }));
            paged.push(...page.items.map((i) => i.leadId));
            cursor = page.nextCursor;
          } while (cursor);
          expect(paged).toEqual(whole);
        }
        // The first page's moment holds for the pages after it, even when asked three months later.
        const first = await searchLeads(manager, search({ sort: 'score', limit: 1 }));
        const second = await searchLeads(manager, search({ sort: 'score', limit: 1, cursor: first.nextCursor, now: new Date('2026-06-01T00:00:00Z') }));
        expect(second.items[0].score).toBe(20);
        await expect(searchLeads(manager, search({ cursor: 'garbage' }))).rejects.toThrow(InvalidCursorError);
        await expect(searchLeads(manager, search({ sort: 'name', cursor: first.nextCursor }))).rejects.toThrow(InvalidCursorError);
        expect(await leadsAssignedByRule(manager, 'rr')).toBe(2);
      });
  });
});
