import {
  DomainRuleViolation,
  type Channel,
  type Decider,
  type EpisodeOutcome,
  type PartnerKind,
  type RepairStatus,
  type ReturnLeg,
  type ShipmentState,
  type WarrantyBasis,
} from '@crm/kernel';
import type { EpisodeOpenedData, Interaction } from './episode';

/**
 * Return authorisation and the repair cycle (issue 12 §5). A return is an episode of its own (type
 * `return-repair`, owned by the service department) opened from a case, on the stream
 * `episode-<id>`; `ReturnRequested` names the case, so the case and its returns are one set of
 * linked episodes in the customer's timeline.
 *
 *   requested ──authorise (RMA number; in warranty, out of warranty or goodwill)──▶ authorised
 *       └──deny (with why) ─▶ closed unresolved
 *   authorised: the item travels (legs to-company → to-provider → from-provider → to-customer, each
 *   label-issued → in-transit → delivered | lost), the repair is assigned to a service-provider
 *   partner, who reports its progress (received … repaired | replaced | unrepairable) and records
 *   interactions on the job — for this repair only: it sees nothing else of the customer.
 *   The item delivered back to the customer closes the return: resolved when repaired or replaced,
 *   unresolved when it could not be repaired. Staff may close it unresolved or cancelled earlier, with why.
 *
 * The warranty is judged by `checkWarranty` from the customer's orders (the application layer reads them).
 */

export interface ReturnItem {
  readonly productId: string;
  readonly serialNumber: string;
}

export interface ReturnRequestedData {
  episodeId: string;
  customerId: string;
  caseEpisodeId: string;
  item: ReturnItem;
  fault: string;
  orderId?: string;
  lineId?: string;
  requestedAt: string;
  requestedBy: string;
}

export interface ReturnAuthorisedData {
  episodeId: string;
  customerId: string;
  rmaNumber: string;
  warranty: WarrantyBasis;
  orderId?: string;
  lineId?: string;
  warrantyEndsAt?: string;
  note?: string;
  authorisedAt: string;
  authorisedBy: string;
}

export interface ReturnShipmentUpdatedData {
  episodeId: string;
  customerId: string;
  leg: ReturnLeg;
  state: ShipmentState;
  carrier?: string;
  trackingNumber?: string;
  updatedAt: string;
  updatedBy: string;
}

export interface RepairStatusChangedData {
  episodeId: string;
  customerId: string;
  partnerId: string;
  from: RepairStatus;
  to: RepairStatus;
  note?: string;
  changedAt: string;
  changedBy: string;
}

export type ReturnRepairEvent =
  | { type: 'EpisodeOpened'; data: EpisodeOpenedData }
  | { type: 'ReturnRequested'; data: ReturnRequestedData }
  | { type: 'ReturnAuthorised'; data: ReturnAuthorisedData }
  | { type: 'ReturnDenied'; data: { episodeId: string; customerId: string; reason: string; deniedAt: string; deniedBy: string } }
  | { type: 'ReturnShipmentUpdated'; data: ReturnShipmentUpdatedData }
  | {
      type: 'RepairAssigned';
      data: { episodeId: string; customerId: string; partnerId: string; previousPartnerId?: string; assignedAt: string; assignedBy: string };
    }
  | { type: 'RepairStatusChanged'; data: RepairStatusChangedData }
  | { type: 'InteractionRecorded'; data: { episodeId: string; customerId: string; interaction: Interaction } }
  | { type: 'EpisodeClosed'; data: { episodeId: string; customerId: string; outcome: EpisodeOutcome; closedAt: string; reason?: string } };

export interface ShipmentLeg {
  readonly state: ShipmentState;
  readonly carrier?: string;
  readonly trackingNumber?: string;
  readonly updatedAt: string;
}

export interface ReturnRepair {
  readonly episodeId: string;
  readonly customerId: string;
  readonly caseEpisodeId: string;
  readonly openedAt: string;
  readonly item: ReturnItem;
  readonly fault: string;
  readonly orderId?: string;
  readonly lineId?: string;
  readonly authorisation?: Omit<ReturnAuthorisedData, 'episodeId' | 'customerId'>;
  readonly denied?: { reason: string; deniedAt: string };
  readonly legs: Readonly<Partial<Record<ReturnLeg, ShipmentLeg>>>;
  /** The provider the repair is with now, and where it stands. */
  readonly repair?: { readonly partnerId: string; readonly status: RepairStatus; readonly assignedAt: string };
  /** Every provider the repair was ever given to (a reassignment ends the earlier one's access). */
  readonly providers: readonly string[];
  readonly interactionIds: readonly string[];
  readonly closed?: { outcome: EpisodeOutcome; closedAt: string; reason?: string };
}

export type ReturnRepairState = ReturnRepair | undefined;

/** Who gives a command about a return: the company's staff (by principal id) or the repair provider. */
export type ReturnActor = { kind: 'staff'; id: string } | { kind: 'partner'; partnerId: string; id: string };

export type ReturnRepairCommand =
  | {
      type: 'RequestReturn';
      data: ReturnRequestedData & { name: string; channel?: Channel };
      /** The case it comes from, as the store has it (undefined: no such episode). */
      fromCase: { customerId: string; isCase: boolean; caseClosed: boolean } | undefined;
    }
  | {
      type: 'AuthoriseReturn';
      data: { rmaNumber: string; authorisedAt: string; authorisedBy: string; note?: string; outOfWarranty?: 'paid' | 'goodwill' };
      warranty: WarrantyCheck;
    }
  | { type: 'DenyReturn'; data: { reason: string; deniedAt: string; deniedBy: string } }
  | { type: 'UpdateShipment'; data: { leg: ReturnLeg; state: ShipmentState; carrier?: string; trackingNumber?: string; updatedAt: string }; by: ReturnActor }
  | { type: 'AssignRepair'; data: { partnerId: string; assignedAt: string; assignedBy: string }; partner: { partnerKind: PartnerKind } | undefined }
  | { type: 'ChangeRepairStatus'; data: { to: RepairStatus; note?: string; changedAt: string }; by: ReturnActor }
  | { type: 'RecordRepairInteraction'; data: { interaction: Interaction }; by: ReturnActor }
  | { type: 'CloseReturn'; data: { outcome: 'unresolved' | 'cancelled'; reason: string; closedAt: string; closedBy: string } };

/** What a return's warranty is, judged from the customer's orders. */
export type WarrantyCheck =
  | { basis: 'in-warranty'; orderId: string; lineId: string; warrantyEndsAt: string }
  | { basis: 'out-of-warranty'; reason: string; orderId?: string; lineId?: string; warrantyEndsAt?: string };

/** An order as the warranty check needs it. */
export interface WarrantyOrder {
  orderId: string;
  customerId: string;
  orderDate: string;
  cancelled: boolean;
  lines: readonly { lineId: string; productId: string }[];
}

/** Adds whole calendar months in UTC, clamping to the month's last day (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(instant: string, months: number): string {
  const d = new Date(instant);
  const target = new Date(
    Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()),
  );
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return target.toISOString();
}

/**
 * The warranty of `item` at `at`: the named order and line when given (it must be the customer's,
 * not cancelled, and hold that product), else the customer's latest order holding the product.
 * The warranty runs `warrantyMonths` from the order date.
 */
export function checkWarranty(
  item: { productId: string; orderId?: string; lineId?: string },
  customerId: string,
  orders: readonly WarrantyOrder[],
  at: string,
  warrantyMonths: number,
): WarrantyCheck {
  const candidates: { order: WarrantyOrder; lineId: string }[] = [];
  if (item.orderId !== undefined) {
    const order = orders.find((o) => o.orderId === item.orderId && o.customerId === customerId);
    if (!order) throw new DomainRuleViolation('unknown-order', `order ${item.orderId} is not an order of customer ${customerId}`);
    if (order.cancelled) throw new DomainRuleViolation('order-cancelled', `order ${item.orderId} was cancelled`);
    const line = order.lines.find((l) => l.productId === item.productId && (item.lineId === undefined || l.lineId === item.lineId));
    if (!line) throw new DomainRuleViolation('product-not-on-order', `order ${item.orderId} has no line of product ${item.productId}`);
    candidates.push({ order, lineId: line.lineId });
  } else {
    for (const order of orders) {
      if (order.customerId !== customerId || order.cancelled) continue;
      const line = order.lines.find((l) => l.productId === item.productId);
      if (line) candidates.push({ order, lineId: line.lineId });
    }
  }
  if (candidates.length === 0) return { basis: 'out-of-warranty', reason: `no order of customer ${customerId} holds product ${item.productId}` };
  // The latest purchase gives the longest warranty.
  candidates.sort((a, b) => Date.parse(b.order.orderDate) - Date.parse(a.order.orderDate));
  const { order, lineId } = candidates[0];
  const warrantyEndsAt = addMonths(order.orderDate, warrantyMonths);
  if (Date.parse(at) <= Date.parse(warrantyEndsAt)) return { basis: 'in-warranty', orderId: order.orderId, lineId, warrantyEndsAt };
  return {
    basis: 'out-of-warranty',
    reason: `the warranty of order ${order.orderId} ended at ${warrantyEndsAt}`,
    orderId: order.orderId,
    lineId,
    warrantyEndsAt,
  };
}

/** The repair results: the item can travel back once the repair has one. */
export const REPAIR_RESULTS: readonly RepairStatus[] = ['repaired', 'replaced', 'unrepairable'];
/** The legs the repair provider ships or receives (it never ships the customer's item to the company). */
const PROVIDER_LEGS: readonly ReturnLeg[] = ['to-provider', 'from-provider', 'to-customer'];
const NEXT_STATES: Record<ShipmentState, readonly ShipmentState[]> = {
  'label-issued': ['in-transit', 'delivered', 'lost'],
  'in-transit': ['delivered', 'lost'],
  delivered: [],
  lost: [],
};

export function evolveReturnRepair(state: ReturnRepairState, event: ReturnRepairEvent): ReturnRepairState {
  switch (event.type) {
    case 'EpisodeOpened':
      return state;
    case 'ReturnRequested': {
      const d = event.data;
      return {
        episodeId: d.episodeId,
        customerId: d.customerId,
        caseEpisodeId: d.caseEpisodeId,
        openedAt: d.requestedAt,
        item: d.item,
        fault: d.fault,
        ...(d.orderId !== undefined && { orderId: d.orderId }),
        ...(d.lineId !== undefined && { lineId: d.lineId }),
        legs: {},
        providers: [],
        interactionIds: [],
      };
    }
    case 'ReturnAuthorised': {
      const { episodeId: _e, customerId: _c, ...authorisation } = event.data;
      return state && { ...state, authorisation };
    }
    case 'ReturnDenied':
      return state && { ...state, denied: { reason: event.data.reason, deniedAt: event.data.deniedAt } };
    case 'ReturnShipmentUpdated': {
      const { leg, state: s, carrier, trackingNumber, updatedAt } = event.data;
      if (!state) return state;
      const before = state.legs[leg];
      const next: ShipmentLeg = {
        state: s,
        updatedAt,
        ...((carrier ?? before?.carrier) !== undefined && { carrier: carrier ?? before?.carrier }),
        ...((trackingNumber ?? before?.trackingNumber) !== undefined && { trackingNumber: trackingNumber ?? before?.trackingNumber }),
      };
      return { ...state, legs: { ...state.legs, [leg]: next } };
    }
    case 'RepairAssigned': {
      const d = event.data;
      return (
        state && {
          ...state,
          repair: { partnerId: d.partnerId, status: 'assigned', assignedAt: d.assignedAt },
          providers: state.providers.includes(d.partnerId) ? state.providers : [...state.providers, d.partnerId],
        }
      );
    }
    case 'RepairStatusChanged':
      return state?.repair && { ...state, repair: { ...state.repair, status: event.data.to } };
    case 'InteractionRecorded':
      return state && { ...state, interactionIds: [...state.interactionIds, event.data.interaction.interactionId] };
    case 'EpisodeClosed': {
      const { outcome, closedAt, reason } = event.data;
      return state && { ...state, closed: { outcome, closedAt, ...(reason !== undefined && { reason }) } };
    }
    default:
      return state; // an event of a later version, or another kind of episode's
  }
}

const ids = (s: ReturnRepair) => ({ episodeId: s.episodeId, customerId: s.customerId });

/** The assigned provider, when `by` is a partner: any other partner is refused as if the job did not exist. */
function assertProvider(state: ReturnRepair, by: ReturnActor): void {
  if (by.kind !== 'partner') return;
  if (state.repair?.partnerId !== by.partnerId) throw new DomainRuleViolation('not-your-repair', 'this repair is not assigned to you');
}

function assertAuthorisedAndOpen(state: ReturnRepair): void {
  if (state.closed) throw new DomainRuleViolation('return-closed', `the return was closed (${state.closed.outcome}) at ${state.closed.closedAt}`);
  if (!state.authorisation) throw new DomainRuleViolation('return-not-authorised', 'the return has not been authorised yet');
}

export function decideReturnRepair(command: ReturnRepairCommand, state: ReturnRepairState): ReturnRepairEvent[] {
  if (command.type === 'RequestReturn') {
    const { name, channel, ...d } = command.data;
    if (state) throw new DomainRuleViolation('episode-exists', `episode ${d.episodeId} already exists`);
    const c = command.fromCase;
    if (!c || !c.isCase || c.customerId !== d.customerId)
      throw new DomainRuleViolation('unknown-case', `case ${d.caseEpisodeId} is not a case of this customer`);
    if (c.caseClosed) throw new DomainRuleViolation('case-closed', 'the case is closed: open a new one');
    if (!d.fault.trim()) throw new DomainRuleViolation('return-needs-fault', 'say what is wrong with the item');
    if (!d.item.serialNumber.trim()) throw new DomainRuleViolation('return-needs-serial-number', 'name the serial number of the item');
    if (d.lineId !== undefined && d.orderId === undefined) throw new DomainRuleViolation('line-needs-order', 'a line is named with its order');
    return [
      {
        type: 'EpisodeOpened',
        data: {
          episodeId: d.episodeId,
          customerId: d.customerId,
          name,
          episodeType: 'return-repair',
          owner: { kind: 'department', department: 'service' },
          openedAt: d.requestedAt,
          ...(channel !== undefined && { channel }),
        },
      },
      { type: 'ReturnRequested', data: d },
    ];
  }
  if (!state) throw new DomainRuleViolation('unknown-return', 'no such return');
  switch (command.type) {
    case 'AuthoriseReturn': {
      if (state.closed) throw new DomainRuleViolation('return-closed', `the return was closed (${state.closed.outcome})`);
      if (state.authorisation) {
        if (state.authorisation.rmaNumber === command.data.rmaNumber) return []; // a retried request
        throw new DomainRuleViolation('return-already-authorised', `the return was authorised as ${state.authorisation.rmaNumber}`);
      }
      const d = command.data;
      const w = command.warranty;
      let basis: WarrantyBasis = 'in-warranty';
      if (w.basis === 'out-of-warranty') {
        if (!d.outOfWarranty) throw new DomainRuleViolation('out-of-warranty', `${w.reason}: authorise it as a paid repair or as goodwill`);
        basis = d.outOfWarranty === 'goodwill' ? 'goodwill' : 'out-of-warranty';
      }
      return [
        {
          type: 'ReturnAuthorised',
          data: {
            ...ids(state),
            rmaNumber: d.rmaNumber,
            warranty: basis,
            ...(w.orderId !== undefined && { orderId: w.orderId }),
            ...(w.lineId !== undefined && { lineId: w.lineId }),
            ...(w.warrantyEndsAt !== undefined && { warrantyEndsAt: w.warrantyEndsAt }),
            ...(d.note !== undefined && { note: d.note }),
            authorisedAt: d.authorisedAt,
            authorisedBy: d.authorisedBy,
          },
        },
      ];
    }
    case 'DenyReturn': {
      const d = command.data;
      if (state.closed) throw new DomainRuleViolation('return-closed', `the return was closed (${state.closed.outcome})`);
      if (state.authorisation)
        throw new DomainRuleViolation('return-already-authorised', `the return was authorised as ${state.authorisation.rmaNumber}: close it instead`);
      if (!d.reason.trim()) throw new DomainRuleViolation('denial-needs-reason', 'say why the return is denied');
      return [
        { type: 'ReturnDenied', data: { ...ids(state), reason: d.reason, deniedAt: d.deniedAt, deniedBy: d.deniedBy } },
        { type: 'EpisodeClosed', data: { ...ids(state), outcome: 'unresolved', closedAt: d.deniedAt, reason: d.reason } },
      ];
    }
    case 'AssignRepair': {
      assertAuthorisedAndOpen(state);
      const d = command.data;
      if (!command.partner) throw new DomainRuleViolation('unknown-partner', `partner ${d.partnerId} is not registered`);
      if (command.partner.partnerKind !== 'service-provider')
        throw new DomainRuleViolation('not-a-service-provider', `partner ${d.partnerId} is a ${command.partner.partnerKind}, not a service provider`);
      if (state.repair?.partnerId === d.partnerId) return []; // already with this provider
      if (state.repair && REPAIR_RESULTS.includes(state.repair.status))
        throw new DomainRuleViolation('repair-finished', `the repair is finished (${state.repair.status}): it is not given to another provider`);
      return [
        {
          type: 'RepairAssigned',
          data: {
            ...ids(state),
            partnerId: d.partnerId,
            ...(state.repair && { previousPartnerId: state.repair.partnerId }),
            assignedAt: d.assignedAt,
            assignedBy: d.assignedBy,
          },
        },
      ];
    }
    case 'ChangeRepairStatus': {
      assertProvider(state, command.by);
      assertAuthorisedAndOpen(state);
      if (!state.repair) throw new DomainRuleViolation('no-repair', 'the repair has not been given to a provider');
      const d = command.data;
      if (d.to === state.repair.status) return [];
      if (d.to === 'assigned') throw new DomainRuleViolation('repair-status-assigned', 'a repair becomes assigned only by its assignment');
      if (state.legs['from-provider'] || state.legs['to-customer'])
        throw new DomainRuleViolation('repair-shipped-back', 'the item is on its way back: the repair does not change any more');
      return [
        {
          type: 'RepairStatusChanged',
          data: {
            ...ids(state),
            partnerId: state.repair.partnerId,
            from: state.repair.status,
            to: d.to,
            ...(d.note !== undefined && { note: d.note }),
            changedAt: d.changedAt,
            changedBy: command.by.id,
          },
        },
      ];
    }
    case 'UpdateShipment':
      return decideShipment(state, command);
    case 'RecordRepairInteraction': {
      assertProvider(state, command.by);
      if (state.closed) throw new DomainRuleViolation('return-closed', `the return was closed (${state.closed.outcome})`);
      const i = command.data.interaction;
      if (command.by.kind === 'partner' && i.actor.kind === 'staff')
        throw new DomainRuleViolation(
          'partner-cannot-act-as-staff',
          'a partner records its own users, the customer or a system as the actor, not company staff',
        );
      if (state.interactionIds.includes(i.interactionId)) return [];
      if (Date.parse(i.occurredAt) < Date.parse(state.openedAt))
        throw new DomainRuleViolation('interaction-before-episode', 'an interaction cannot happen before its episode opened');
      return [{ type: 'InteractionRecorded', data: { ...ids(state), interaction: i } }];
    }
    case 'CloseReturn': {
      const d = command.data;
      if (state.closed) throw new DomainRuleViolation('return-closed', `the return was closed (${state.closed.outcome})`);
      if (!d.reason.trim()) throw new DomainRuleViolation('close-needs-reason', 'say why the return closes without the item back at the customer');
      if (d.outcome === 'cancelled' && Object.keys(state.legs).length > 0)
        throw new DomainRuleViolation('return-under-way', 'the item is already travelling: close the return as unresolved instead');
      if (Date.parse(d.closedAt) < Date.parse(state.openedAt)) throw new DomainRuleViolation('closed-before-opened', 'a return cannot close before it opened');
      return [{ type: 'EpisodeClosed', data: { ...ids(state), outcome: d.outcome, closedAt: d.closedAt, reason: d.reason } }];
    }
  }
}

function decideShipment(state: ReturnRepair, command: Extract<ReturnRepairCommand, { type: 'UpdateShipment' }>): ReturnRepairEvent[] {
  const { by } = command;
  const d = command.data;
  assertProvider(state, by);
  assertAuthorisedAndOpen(state);
  if (by.kind === 'partner' && !PROVIDER_LEGS.includes(d.leg)) throw new DomainRuleViolation('not-your-leg', `the ${d.leg} leg is the company's to record`);
  const before = state.legs[d.leg];
  if (before) {
    if (before.state === d.state) return []; // a retried update
    if (!NEXT_STATES[before.state].includes(d.state))
      throw new DomainRuleViolation('shipment-state-backwards', `the ${d.leg} shipment is ${before.state}: it cannot become ${d.state}`);
  }
  const delivered = (leg: ReturnLeg) => state.legs[leg]?.state === 'delivered';
  const result = state.repair && REPAIR_RESULTS.includes(state.repair.status) ? state.repair.status : undefined;
  switch (d.leg) {
    case 'to-company':
      break;
    case 'to-provider':
      if (!state.repair) throw new DomainRuleViolation('no-repair', 'give the repair to a provider before shipping the item to it');
      if (!delivered('to-company')) throw new DomainRuleViolation('item-not-received', 'the item has not reached the company yet');
      break;
    case 'from-provider':
      if (!result) throw new DomainRuleViolation('repair-not-finished', 'the provider ships the item back once the repair has a result');
      break;
    case 'to-customer': {
      // From the company (the item is there: never sent out, or back from the provider), or straight from the provider.
      const atCompany = delivered('to-company') && (!state.legs['to-provider'] || delivered('from-provider'));
      const fromProvider = by.kind === 'partner' && result !== undefined;
      if (!atCompany && !fromProvider)
        throw new DomainRuleViolation('item-not-here', 'the item is not at the company (nor repaired at the provider) to be sent to the customer');
      break;
    }
  }
  const updated: ReturnRepairEvent = {
    type: 'ReturnShipmentUpdated',
    data: {
      ...ids(state),
      leg: d.leg,
      state: d.state,
      ...(d.carrier !== undefined && { carrier: d.carrier }),
      ...(d.trackingNumber !== undefined && { trackingNumber: d.trackingNumber }),
      updatedAt: d.updatedAt,
      updatedBy: by.kind === 'partner' ? `partner:${by.partnerId}` : by.id,
    },
  };
  if (d.leg !== 'to-customer' || d.state !== 'delivered') return [updated];
  // The item is back with the customer: the return is done — resolved unless it could not be repaired.
  const unrepaired = result === 'unrepairable';
  return [
    updated,
    {
      type: 'EpisodeClosed',
      data: {
        ...ids(state),
        outcome: unrepaired ? 'unresolved' : 'resolved',
        closedAt: d.updatedAt,
        reason: unrepaired ? 'the item could not be repaired and was sent back to the customer' : 'the item was delivered back to the customer',
      },
    },
  ];
}

/** The return and repair, as the application layer runs it (on the return's episode stream). */
export const returnRepairDecider: Decider<ReturnRepairState, ReturnRepairCommand, ReturnRepairEvent> = {
  decide: decideReturnRepair,
  evolve: evolveReturnRepair,
  initialState: undefined,
};
