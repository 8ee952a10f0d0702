import { DeciderSpecification } from '@crm/kernel/testing';
import { episodeDecider, type EpisodeEvent, type Interaction } from './episode';
import {
  addMonths,
  checkWarranty,
  evolveReturnRepair,
  returnRepairDecider,
  type ReturnActor,
  type ReturnRepairCommand,
  type ReturnRepairEvent,
  type WarrantyCheck,
  type WarrantyOrder,
} from './return-repair';

const given = DeciderSpecification.for(returnRepairDecider);

const requestedAt = '2026-03-01T09:00:00.000Z';
const later = (minutes: number) => new Date(Date.parse(requestedAt) + minutes * 60_000).toISOString();
const ids = { episodeId: 'r1', customerId: 'c1' };
const item = { productId: 'phone-x', serialNumber: 'SN-123' };
const staff: ReturnActor = { kind: 'staff', id: 'budi' };
const provider: ReturnActor = { kind: 'partner', partnerId: 'fixit', id: 'fixit-user' };
const otherPartner: ReturnActor = { kind: 'partner', partnerId: 'other', id: 'other-user' };
const openCase = { customerId: 'c1', isCase: true, caseClosed: false };

const request = (
  fromCase: Extract<ReturnRepairCommand, { type: 'RequestReturn' }>['fromCase'] = openCase,
  extra: Record<string, unknown> = {},
): ReturnRepairCommand => ({
  type: 'RequestReturn',
  data: { ...ids, caseEpisodeId: 'k1', item, fault: 'does not charge', requestedAt, requestedBy: 'budi', name: 'Return of phone-x', ...extra },
  fromCase,
});
const requested: ReturnRepairEvent[] = [
  {
    type: 'EpisodeOpened',
    data: { ...ids, name: 'Return of phone-x', episodeType: 'return-repair', owner: { kind: 'department', department: 'service' }, openedAt: requestedAt },
  },
  { type: 'ReturnRequested', data: { ...ids, caseEpisodeId: 'k1', item, fault: 'does not charge', requestedAt, requestedBy: 'budi' } },
];
const inWarranty: WarrantyCheck = { basis: 'in-warranty', orderId: 'o1', lineId: '1', warrantyEndsAt: '2027-01-01T00:00:00.000Z' };
const expired: WarrantyCheck = {
  basis: 'out-of-warranty',
  reason: 'the warranty of order o1 ended',
  orderId: 'o1',
  lineId: '1',
  warrantyEndsAt: '2026-01-01T00:00:00.000Z',
};
const authorise = (warranty: WarrantyCheck = inWarranty, extra: Record<string, unknown> = {}, rmaNumber = 'RMA-2026-0000AB12'): ReturnRepairCommand => ({
  type: 'AuthoriseReturn',
  data: { rmaNumber, authorisedAt: later(10), authorisedBy: 'budi', ...extra },
  warranty,
});
const authorised: ReturnRepairEvent = {
  type: 'ReturnAuthorised',
  data: {
    ...ids,
    rmaNumber: 'RMA-2026-0000AB12',
    warranty: 'in-warranty',
    orderId: 'o1',
    lineId: '1',
    warrantyEndsAt: '2027-01-01T00:00:00.000Z',
    authorisedAt: later(10),
    authorisedBy: 'budi',
  },
};
const ship = (leg: string, state: string, by: ReturnActor = staff, at = later(20), extra: Record<string, unknown> = {}): ReturnRepairCommand => ({
  type: 'UpdateShipment',
  data: { leg: leg as never, state: state as never, updatedAt: at, ...extra },
  by,
});
const shipped = (leg: string, state: string, by = 'budi', at = later(20), extra: Record<string, unknown> = {}): ReturnRepairEvent =>
  ({ type: 'ReturnShipmentUpdated', data: { ...ids, leg, state, ...extra, updatedAt: at, updatedBy: by } }) as ReturnRepairEvent;
const assign = (partnerId = 'fixit', partnerKind: string | undefined = 'service-provider'): ReturnRepairCommand => ({
  type: 'AssignRepair',
  data: { partnerId, assignedAt: later(30), assignedBy: 'budi' },
  partner: partnerKind === undefined ? undefined : { partnerKind: partnerKind as never },
});
const assigned = (partnerId = 'fixit', previousPartnerId?: string): ReturnRepairEvent => ({
  type: 'RepairAssigned',
  data: { ...ids, partnerId, ...(previousPartnerId !== undefined && { previousPartnerId }), assignedAt: later(30), assignedBy: 'budi' },
});
const repairStatus = (to: string, by: ReturnActor = provider, at = later(40)): ReturnRepairCommand => ({
  type: 'ChangeRepairStatus',
  data: { to: to as never, changedAt: at },
  by,
});
const statusChanged = (from: string, to: string): ReturnRepairEvent =>
  ({ type: 'RepairStatusChanged', data: { ...ids, partnerId: 'fixit', from, to, changedAt: later(40), changedBy: 'fixit-user' } }) as ReturnRepairEvent;
const closeCmd = (outcome: 'unresolved' | 'cancelled', reason = 'customer withdrew', at = later(50)): ReturnRepairCommand => ({
  type: 'CloseReturn',
  data: { outcome, reason, closedAt: at, closedBy: 'budi' },
});

const atCompany = [...requested, authorised, shipped('to-company', 'delivered')];
const withProvider = [...atCompany, assigned(), shipped('to-provider', 'delivered')];
const repaired = [...withProvider, statusChanged('assigned', 'repaired')];

describe('addMonths', () => {
  it('adds calendar months in UTC', () => {
    expect(addMonths('2024-03-15T10:00:00.000Z', 24)).toBe('2026-03-15T10:00:00.000Z');
    expect(addMonths('2025-11-30T00:00:00.000Z', 3)).toBe('2026-02-28T00:00:00.000Z');
  });
  it('clamps to the last day of a shorter month (leap years too)', () => {
    expect(addMonths('2026-01-31T12:00:00.000Z', 1)).toBe('2026-02-28T12:00:00.000Z');
    expect(addMonths('2024-01-31T12:00:00.000Z', 1)).toBe('2024-02-29T12:00:00.000Z');
  });
});

describe('checkWarranty', () => {
  const order = (orderId: string, orderDate: string, extra: Partial<WarrantyOrder> = {}): WarrantyOrder => ({
    orderId,
    customerId: 'c1',
    orderDate,
    cancelled: false,
    lines: [{ lineId: '1', productId: 'phone-x' }],
    ...extra,
  });
  const at = '2026-03-01T00:00:00.000Z';

  it('given an order of the product within the warranty, then it is in warranty until order date + months', () => {
    expect(checkWarranty({ productId: 'phone-x' }, 'c1', [order('o1', '2025-06-01T00:00:00.000Z')], at, 24)).toEqual({
      basis: 'in-warranty',
      orderId: 'o1',
      lineId: '1',
      warrantyEndsAt: '2027-06-01T00:00:00.000Z',
    });
  });
  it('the last instant of the warranty is still in it; one later is not', () => {
    const orders = [order('o1', '2024-03-01T00:00:00.000Z')];
    expect(checkWarranty({ productId: 'phone-x' }, 'c1', orders, '2026-03-01T00:00:00.000Z', 24).basis).toBe('in-warranty');
    expect(checkWarranty({ productId: 'phone-x' }, 'c1', orders, '2026-03-01T00:00:00.001Z', 24)).toMatchObject({
      basis: 'out-of-warranty',
      orderId: 'o1',
      warrantyEndsAt: '2026-03-01T00:00:00.000Z',
    });
  });
  it('given an expired order, then it is out of warranty with the order named', () => {
    expect(checkWarranty({ productId: 'phone-x' }, 'c1', [order('o1', '2023-01-01T00:00:00.000Z')], at, 24)).toMatchObject({
      basis: 'out-of-warranty',
      orderId: 'o1',
      lineId: '1',
      reason: expect.stringContaining('o1'),
    });
  });
  it('without a named order, the latest purchase of the product counts; other customers, cancelled orders and other products do not', () => {
    const orders = [
      order('old', '2023-01-01T00:00:00.000Z'),
      order('newer', '2025-01-01T00:00:00.000Z'),
      order('cancelled', '2026-01-01T00:00:00.000Z', { cancelled: true }),
      order('someone-else', '2026-02-01T00:00:00.000Z', { customerId: 'c2' }),
      order('other-product', '2026-02-01T00:00:00.000Z', { lines: [{ lineId: '1', productId: 'tablet' }] }),
    ];
    expect(checkWarranty({ productId: 'phone-x' }, 'c1', orders, at, 24)).toMatchObject({ basis: 'in-warranty', orderId: 'newer' });
  });
  it('given no order of the product, then it is out of warranty without an order', () => {
    expect(checkWarranty({ productId: 'phone-x' }, 'c1', [], at, 24)).toEqual({ basis: 'out-of-warranty', reason: expect.stringContaining('phone-x') });
  });
  it('a named order of another customer is refused', () => {
    expect(() => checkWarranty({ productId: 'phone-x', orderId: 'o1' }, 'c1', [order('o1', at, { customerId: 'c2' })], at, 24)).toThrow(
      expect.objectContaining({ rule: 'unknown-order' }),
    );
  });
  it('a named cancelled order is refused', () => {
    expect(() => checkWarranty({ productId: 'phone-x', orderId: 'o1' }, 'c1', [order('o1', at, { cancelled: true })], at, 24)).toThrow(
      expect.objectContaining({ rule: 'order-cancelled' }),
    );
  });
  it('a named order (or line) without the product is refused', () => {
    expect(() => checkWarranty({ productId: 'tablet', orderId: 'o1' }, 'c1', [order('o1', at)], at, 24)).toThrow(
      expect.objectContaining({ rule: 'product-not-on-order' }),
    );
    expect(() => checkWarranty({ productId: 'phone-x', orderId: 'o1', lineId: '2' }, 'c1', [order('o1', at)], at, 24)).toThrow(
      expect.objectContaining({ rule: 'product-not-on-order' }),
    );
  });
  it('a named order is judged even when a later one holds the product', () => {
    const orders = [order('o1', '2023-01-01T00:00:00.000Z'), order('o2', '2026-01-01T00:00:00.000Z')];
    expect(checkWarranty({ productId: 'phone-x', orderId: 'o1' }, 'c1', orders, at, 24)).toMatchObject({ basis: 'out-of-warranty', orderId: 'o1' });
  });
});

describe('return: requesting', () => {
  it('given an open case of the customer, then the return episode opens (service owns it) with the request, in one append', () => {
    given([]).when(request()).then(requested);
  });
  it('the channel is recorded on the opening', () => {
    given([])
      .when(request(openCase, { channel: 'phone' }))
      .then([{ ...requested[0], data: { ...requested[0].data, channel: 'phone' } } as ReturnRepairEvent, requested[1]]);
  });
  it('a case that does not exist, is no case, or is another customer’s is refused', () => {
    given([])
      .when({ ...request(), fromCase: undefined } as ReturnRepairCommand)
      .thenBreaks('unknown-case');
    given([])
      .when(request({ ...openCase, isCase: false }))
      .thenBreaks('unknown-case');
    given([])
      .when(request({ ...openCase, customerId: 'c2' }))
      .thenBreaks('unknown-case');
  });
  it('a closed case is refused', () => {
    given([])
      .when(request({ ...openCase, caseClosed: true }))
      .thenBreaks('case-closed');
  });
  it('a blank fault or serial number is refused; a line needs its order', () => {
    given([])
      .when(request(openCase, { fault: '  ' }))
      .thenBreaks('return-needs-fault');
    given([])
      .when(request(openCase, { item: { productId: 'phone-x', serialNumber: ' ' } }))
      .thenBreaks('return-needs-serial-number');
    given([])
      .when(request(openCase, { lineId: '1' }))
      .thenBreaks('line-needs-order');
  });
  it('the same id twice is refused', () => {
    given(requested).when(request()).thenBreaks('episode-exists');
  });
  it('any other command on a stream without a return is refused', () => {
    given([]).when(authorise()).thenBreaks('unknown-return');
    given([requested[0]]).when(authorise()).thenBreaks('unknown-return');
  });
});

describe('return: authorising and denying', () => {
  it('in warranty: authorised with its RMA number, the order and line, and when the warranty ends', () => {
    given(requested).when(authorise()).then(authorised);
  });
  it('out of warranty needs paid or goodwill', () => {
    given(requested).when(authorise(expired)).thenBreaks('out-of-warranty');
    given(requested)
      .when(authorise(expired, { outOfWarranty: 'paid' }))
      .then({ ...authorised, data: { ...authorised.data, warranty: 'out-of-warranty', warrantyEndsAt: '2026-01-01T00:00:00.000Z' } } as ReturnRepairEvent);
    given(requested)
      .when(authorise({ basis: 'out-of-warranty', reason: 'no order' }, { outOfWarranty: 'goodwill', note: 'loyal customer' }))
      .then({
        type: 'ReturnAuthorised',
        data: { ...ids, rmaNumber: 'RMA-2026-0000AB12', warranty: 'goodwill', note: 'loyal customer', authorisedAt: later(10), authorisedBy: 'budi' },
      });
  });
  it('authorised twice with the same RMA is a retry (nothing); with another RMA it is refused', () => {
    given([...requested, authorised])
      .when(authorise())
      .thenNothingHappens();
    given([...requested, authorised])
      .when(authorise(inWarranty, {}, 'RMA-2026-FFFFFFFF'))
      .thenBreaks('return-already-authorised');
  });
  it('deny closes the return unresolved, with why', () => {
    given(requested)
      .when({ type: 'DenyReturn', data: { reason: 'physical damage', deniedAt: later(5), deniedBy: 'budi' } })
      .then([
        { type: 'ReturnDenied', data: { ...ids, reason: 'physical damage', deniedAt: later(5), deniedBy: 'budi' } },
        { type: 'EpisodeClosed', data: { ...ids, outcome: 'unresolved', closedAt: later(5), reason: 'physical damage' } },
      ]);
  });
  it('deny needs a reason; an authorised return is not denied; a closed one takes neither', () => {
    given(requested)
      .when({ type: 'DenyReturn', data: { reason: ' ', deniedAt: later(5), deniedBy: 'budi' } })
      .thenBreaks('denial-needs-reason');
    given([...requested, authorised])
      .when({ type: 'DenyReturn', data: { reason: 'no', deniedAt: later(5), deniedBy: 'budi' } })
      .thenBreaks('return-already-authorised');
    const denied: ReturnRepairEvent[] = [
      ...requested,
      { type: 'ReturnDenied', data: { ...ids, reason: 'no', deniedAt: later(5), deniedBy: 'budi' } },
      { type: 'EpisodeClosed', data: { ...ids, outcome: 'unresolved', closedAt: later(5), reason: 'no' } },
    ];
    given(denied).when(authorise()).thenBreaks('return-closed');
    given(denied)
      .when({ type: 'DenyReturn', data: { reason: 'no', deniedAt: later(6), deniedBy: 'budi' } })
      .thenBreaks('return-closed');
  });
});

describe('return: shipments', () => {
  it('nothing travels before the return is authorised', () => {
    given(requested).when(ship('to-company', 'label-issued')).thenBreaks('return-not-authorised');
  });
  it('a leg moves forward: label-issued → in-transit → delivered; carrier and tracking kept', () => {
    given([...requested, authorised])
      .when(ship('to-company', 'label-issued', staff, later(20), { carrier: 'DHL', trackingNumber: 'T1' }))
      .then(shipped('to-company', 'label-issued', 'budi', later(20), { carrier: 'DHL', trackingNumber: 'T1' }));
    const state = [
      ...requested,
      authorised,
      shipped('to-company', 'label-issued', 'budi', later(20), { carrier: 'DHL', trackingNumber: 'T1' }),
      shipped('to-company', 'in-transit'),
    ].reduce(evolveReturnRepair, undefined);
    expect(state?.legs['to-company']).toEqual({ state: 'in-transit', carrier: 'DHL', trackingNumber: 'T1', updatedAt: later(20) });
  });
  it('a leg never moves back, and delivered or lost is final; the same state again is a retry', () => {
    given(atCompany).when(ship('to-company', 'in-transit')).thenBreaks('shipment-state-backwards');
    given([...requested, authorised, shipped('to-company', 'lost')])
      .when(ship('to-company', 'delivered'))
      .thenBreaks('shipment-state-backwards');
    given(atCompany).when(ship('to-company', 'delivered')).thenNothingHappens();
  });
  it('to the provider needs the repair assigned and the item received', () => {
    given(atCompany).when(ship('to-provider', 'label-issued')).thenBreaks('no-repair');
    given([...requested, authorised, assigned()])
      .when(ship('to-provider', 'label-issued'))
      .thenBreaks('item-not-received');
    given([...atCompany, assigned()])
      .when(ship('to-provider', 'in-transit'))
      .then(shipped('to-provider', 'in-transit'));
  });
  it('from the provider needs a repair result', () => {
    given(withProvider)
      .when(ship('from-provider', 'in-transit', provider))
      .thenBreaks('repair-not-finished');
    given([...withProvider, statusChanged('assigned', 'in-repair')])
      .when(ship('from-provider', 'in-transit', provider))
      .thenBreaks('repair-not-finished');
    given(repaired)
      .when(ship('from-provider', 'in-transit', provider))
      .then(shipped('from-provider', 'in-transit', 'partner:fixit'));
  });
  it('to the customer from the company: the item must be there (received, and back from the provider if it went)', () => {
    given([...requested, authorised])
      .when(ship('to-customer', 'label-issued'))
      .thenBreaks('item-not-here');
    given(repaired).when(ship('to-customer', 'label-issued')).thenBreaks('item-not-here');
    given([...repaired, shipped('from-provider', 'delivered')])
      .when(ship('to-customer', 'in-transit'))
      .then(shipped('to-customer', 'in-transit'));
    given(atCompany).when(ship('to-customer', 'in-transit')).then(shipped('to-customer', 'in-transit'));
  });
  it('to the customer straight from the provider once repaired', () => {
    given(repaired)
      .when(ship('to-customer', 'in-transit', provider))
      .then(shipped('to-customer', 'in-transit', 'partner:fixit'));
  });
  it('delivered to the customer closes the return resolved when repaired or replaced', () => {
    given([...repaired, shipped('from-provider', 'delivered')])
      .when(ship('to-customer', 'delivered', staff, later(60)))
      .then([
        shipped('to-customer', 'delivered', 'budi', later(60)),
        { type: 'EpisodeClosed', data: { ...ids, outcome: 'resolved', closedAt: later(60), reason: 'the item was delivered back to the customer' } },
      ]);
  });
  it('delivered to the customer closes the return unresolved when the item could not be repaired', () => {
    given([...withProvider, statusChanged('assigned', 'unrepairable')])
      .when(ship('to-customer', 'delivered', provider, later(60)))
      .then([
        shipped('to-customer', 'delivered', 'partner:fixit', later(60)),
        {
          type: 'EpisodeClosed',
          data: { ...ids, outcome: 'unresolved', closedAt: later(60), reason: 'the item could not be repaired and was sent back to the customer' },
        },
      ]);
  });
});

describe('return: the repair provider', () => {
  it('the repair is given to a registered service provider only', () => {
    given(atCompany).when(assign()).then(assigned());
    given(atCompany)
      .when({ ...assign('nobody'), partner: undefined } as ReturnRepairCommand)
      .thenBreaks('unknown-partner');
    given(atCompany).when(assign('reseller', 'reseller')).thenBreaks('not-a-service-provider');
    given(requested).when(assign()).thenBreaks('return-not-authorised');
  });
  it('reassignment names the previous provider and keeps both in the providers; the same provider again is a retry', () => {
    given([...atCompany, assigned()])
      .when(assign('fixit-2'))
      .then(assigned('fixit-2', 'fixit'));
    given([...atCompany, assigned()])
      .when(assign())
      .thenNothingHappens();
    const state = [...atCompany, assigned(), assigned('fixit-2', 'fixit')].reduce(evolveReturnRepair, undefined);
    expect(state?.providers).toEqual(['fixit', 'fixit-2']);
    expect(state?.repair).toEqual({ partnerId: 'fixit-2', status: 'assigned', assignedAt: later(30) });
  });
  it('a finished repair is not given to another provider', () => {
    given(repaired).when(assign('fixit-2')).thenBreaks('repair-finished');
  });
  it('only the assigned provider reports on the repair, records its shipments and interactions', () => {
    given(withProvider).when(repairStatus('in-repair')).then(statusChanged('assigned', 'in-repair'));
    given(withProvider).when(repairStatus('in-repair', otherPartner)).thenBreaks('not-your-repair');
    given(repaired)
      .when(ship('from-provider', 'in-transit', otherPartner))
      .thenBreaks('not-your-repair');
    given([...atCompany, assigned(), assigned('fixit-2', 'fixit')])
      .when(repairStatus('in-repair'))
      .thenBreaks('not-your-repair');
  });
  it('the provider does not record the to-company leg', () => {
    given([...requested, authorised, assigned()])
      .when(ship('to-company', 'delivered', provider))
      .thenBreaks('not-your-leg');
  });
  it('the repair becomes assigned only by assignment; the same status again is a retry; no change once shipped back', () => {
    given([...withProvider, statusChanged('assigned', 'in-repair')])
      .when(repairStatus('assigned'))
      .thenBreaks('repair-status-assigned');
    given([...withProvider, statusChanged('assigned', 'in-repair')])
      .when(repairStatus('in-repair'))
      .thenNothingHappens();
    given([...repaired, shipped('from-provider', 'in-transit')])
      .when(repairStatus('unrepairable'))
      .thenBreaks('repair-shipped-back');
  });
  it('no repair status before the repair is assigned', () => {
    given(atCompany).when(repairStatus('in-repair', staff)).thenBreaks('no-repair');
  });
  it('a provider records its own users (not company staff) as actors; a repeated interaction is a retry; none before the return opened', () => {
    const interaction: Interaction = {
      interactionId: 'i1',
      channel: 'phone',
      direction: 'outbound',
      actor: { kind: 'partner-user', id: 'fixit-user' },
      action: 'called the customer about the part',
      occurredAt: later(45),
    };
    const record = (i = interaction, by: ReturnActor = provider): ReturnRepairCommand => ({ type: 'RecordRepairInteraction', data: { interaction: i }, by });
    given(withProvider)
      .when(record())
      .then({ type: 'InteractionRecorded', data: { ...ids, interaction } });
    given(withProvider)
      .when(record({ ...interaction, actor: { kind: 'staff', id: 'budi' } }))
      .thenBreaks('partner-cannot-act-as-staff');
    given([...withProvider, { type: 'InteractionRecorded', data: { ...ids, interaction } }])
      .when(record())
      .thenNothingHappens();
    given(withProvider)
      .when(record({ ...interaction, occurredAt: later(-5) }))
      .thenBreaks('interaction-before-episode');
    given(withProvider).when(record(interaction, otherPartner)).thenBreaks('not-your-repair');
  });
});

describe('return: closing by staff', () => {
  it('closes unresolved or cancelled, with why', () => {
    given(atCompany)
      .when(closeCmd('unresolved'))
      .then({ type: 'EpisodeClosed', data: { ...ids, outcome: 'unresolved', closedAt: later(50), reason: 'customer withdrew' } });
    given(requested)
      .when(closeCmd('cancelled'))
      .then({ type: 'EpisodeClosed', data: { ...ids, outcome: 'cancelled', closedAt: later(50), reason: 'customer withdrew' } });
  });
  it('needs a reason; a travelling item is not cancelled; not before it opened; not twice', () => {
    given(requested).when(closeCmd('unresolved', ' ')).thenBreaks('close-needs-reason');
    given(atCompany).when(closeCmd('cancelled')).thenBreaks('return-under-way');
    given(requested)
      .when(closeCmd('unresolved', 'x', later(-1)))
      .thenBreaks('closed-before-opened');
    const closed: ReturnRepairEvent[] = [...requested, { type: 'EpisodeClosed', data: { ...ids, outcome: 'cancelled', closedAt: later(50), reason: 'x' } }];
    given(closed).when(closeCmd('unresolved')).thenBreaks('return-closed');
    given(closed).when(ship('to-company', 'label-issued')).thenBreaks('return-closed');
    given(closed).when(assign()).thenBreaks('return-closed');
  });
});

describe('episode: a return closes through its own commands', () => {
  const episodeGiven = DeciderSpecification.for(episodeDecider);
  const close: Parameters<typeof episodeDecider.decide>[0] = { type: 'CloseEpisode', data: { ...ids, outcome: 'resolved', closedAt: later(10) } };
  it('given a return opened through ReturnRequested, when the generic close is asked, then it is refused', () => {
    episodeGiven(requested as EpisodeEvent[])
      .when(close)
      .thenBreaks('close-through-return');
  });
  it('a return-repair episode opened without a request (a partner’s, in the portal) still closes generically', () => {
    episodeGiven([requested[0] as EpisodeEvent])
      .when(close)
      .then({ type: 'EpisodeClosed', data: { ...ids, outcome: 'resolved', closedAt: later(10) } });
  });
  it('interactions are still recorded on it through the episode', () => {
    const interaction = {
      interactionId: 'i9',
      channel: 'email' as const,
      direction: 'outbound' as const,
      actor: { kind: 'staff' as const, id: 'budi' },
      action: 'sent the RMA label',
      occurredAt: later(12),
    };
    episodeGiven(requested as EpisodeEvent[])
      .when({ type: 'RecordInteraction', data: { episodeId: 'r1', interaction } })
      .then({ type: 'InteractionRecorded', data: { ...ids, interaction } });
  });
});
