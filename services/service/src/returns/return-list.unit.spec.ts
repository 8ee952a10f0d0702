import { foldReturn, type FollowUp, type ReturnListEvent, type ReturnRow } from './return-list.projection';

const ids = { episodeId: 'r1', customerId: 'c1' };
const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 9, minute)).toISOString();
const ev = (type: ReturnListEvent['type'], data: Record<string, unknown>) => ({ type, data: { ...ids, ...data } }) as unknown as ReturnListEvent;
const requested = ev('ReturnRequested', {
  caseEpisodeId: 'k1',
  item: { productId: 'phone-x1', serialNumber: 'SN-1' },
  fault: 'no charge',
  requestedAt: at(0),
  requestedBy: 'budi',
});
const authorised = ev('ReturnAuthorised', { rmaNumber: 'RMA-2026-0B7C4F0E', warranty: 'in-warranty', authorisedAt: at(1), authorisedBy: 'budi' });
const ship = (leg: string, state: string, minute: number) => ev('ReturnShipmentUpdated', { leg, state, updatedAt: at(minute), updatedBy: 'budi' });
const assigned = (partnerId: string, minute = 3) => ev('RepairAssigned', { partnerId, assignedAt: at(minute), assignedBy: 'budi' });
const repair = (to: string, minute = 5) => ev('RepairStatusChanged', { partnerId: 'fixit', from: 'assigned', to, changedAt: at(minute), changedBy: 'bob' });
const closed = (outcome: string, minute = 9) => ev('EpisodeClosed', { outcome, closedAt: at(minute) });

function fold(events: ReturnListEvent[]): { row: ReturnRow | undefined; followUps: FollowUp[] } {
  let row: ReturnRow | undefined;
  const followUps: FollowUp[] = [];
  for (const e of events) {
    const r = foldReturn(row, e);
    row = r.row;
    if (r.followUp) followUps.push(r.followUp);
  }
  return { row, followUps };
}
const statusAfter = (events: ReturnListEvent[]) => fold(events).row?.status;

describe('the returns list: one event on a row', () => {
  it('a request makes the row (no personal field: neither the serial number nor the fault)', () => {
    const { row } = fold([requested]);
    expect(row).toEqual({
      returnId: 'r1',
      customerId: 'c1',
      caseId: 'k1',
      productId: 'phone-x1',
      status: 'requested',
      rmaNumber: null,
      warranty: null,
      denied: false,
      legs: {},
      partnerId: null,
      repairStatus: null,
      requestedAt: at(0),
      lastActivityAt: at(0),
      outcome: null,
      closedAt: null,
    });
    expect(JSON.stringify(row)).not.toMatch(/SN-1|no charge/);
  });

  it('the status follows the cycle as GET /returns/{id} derives it', () => {
    const base = [requested, authorised];
    expect(statusAfter(base)).toBe('authorised');
    expect(statusAfter([...base, ship('to-company', 'in-transit', 2)])).toBe('in-transit-to-company');
    expect(statusAfter([...base, ship('to-company', 'delivered', 2)])).toBe('received');
    const atCompany = [...base, ship('to-company', 'delivered', 2), assigned('fixit')];
    expect(statusAfter([...atCompany, ship('to-provider', 'in-transit', 4)])).toBe('in-transit-to-provider');
    expect(statusAfter([...atCompany, ship('to-provider', 'delivered', 4)])).toBe('at-provider');
    expect(statusAfter([...atCompany, ship('to-provider', 'delivered', 4), repair('unrepairable')])).toBe('unrepairable');
    const back = [...atCompany, ship('to-provider', 'delivered', 4), repair('repaired'), ship('from-provider', 'in-transit', 6)];
    expect(statusAfter(back)).toBe('returning');
    expect(statusAfter([...back, ship('to-customer', 'delivered', 8), closed('resolved')])).toBe('delivered');
    expect(statusAfter([requested, ev('ReturnDenied', { reason: 'x', deniedAt: at(1), deniedBy: 'b' }), closed('unresolved', 1)])).toBe('denied');
    expect(statusAfter([requested, closed('cancelled', 1)])).toBe('closed');
  });

  it('a repair assigned and a closing leave to-dos for the case (one per provider; one closing)', () => {
    const { row, followUps } = fold([requested, authorised, assigned('fixit'), assigned('fixit-2', 4), closed('resolved')]);
    expect(row).toMatchObject({ partnerId: 'fixit-2', outcome: 'resolved', closedAt: at(9) });
    expect(followUps).toEqual([
      { key: 'r1/repair-assigned/fixit', returnId: 'r1', caseId: 'k1', kind: 'repair-assigned', partnerId: 'fixit', outcome: null, dueAt: at(3) },
      { key: 'r1/repair-assigned/fixit-2', returnId: 'r1', caseId: 'k1', kind: 'repair-assigned', partnerId: 'fixit-2', outcome: null, dueAt: at(4) },
      { key: 'r1/closed', returnId: 'r1', caseId: 'k1', kind: 'closed', partnerId: null, outcome: 'resolved', dueAt: at(9) },
    ]);
  });

  it('another episode’s interactions and closing leave no row; a return step of an unknown return throws (parked); a request again changes nothing', () => {
    expect(fold([closed('resolved')]).row).toBeUndefined();
    expect(() => foldReturn(undefined, authorised)).toThrow('not in the returns list');
    const { row } = fold([requested, authorised]);
    expect(foldReturn(row, requested).row).toBe(row);
  });
});
