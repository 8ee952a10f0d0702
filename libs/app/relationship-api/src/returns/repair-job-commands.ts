import { randomUUID } from 'node:crypto';
import { CommandHandler, type EventStore, type RecordedEvent } from '@crm/event-store';
import {
  episodeStream,
  NotFoundError,
  returnRepairDecider,
  type Channel,
  type Direction,
  type EpisodeOutcome,
  type Interaction,
  type RepairStatus,
  type ReturnLeg,
  type ReturnRepairCommand,
  type ReturnRepairEvent,
  type ReturnRepairState,
  type ShipmentLeg,
  type ShipmentState,
  type Visibility,
} from '@crm/relationship';
import { HttpProblem, partnerActorId, ProblemTypes, type PartnerPrincipal, type Principal } from '@crm/service-kit';
import { metadataFor, visibilityFor, type CommandOptions, type CommandResult, type CommandSettings } from '../application/command-options';
import type { PartnerCommands } from '../partners/partner-commands';

/**
 * Whether a partner caller is still who its token says (the `PartnerAccess` pattern, for the repair
 * provider, who has no customer share to check): the application layer asks it on every repair-job
 * read and write. The default reads the partner aggregate; the partner portal provides one that also
 * refuses tokens of a revoked credential (401).
 */
export interface RepairProviderAccess {
  /** Throws NotFoundError for a partner that does not exist, and a 401 problem for a credential no longer valid. */
  assertActive(principal: PartnerPrincipal): Promise<void>;
}

/**
 * The default: the partner aggregate. A token whose subject is one of the partner's credentials
 * (`<partnerId>.<key>`, what the portal's token exchange issues) stops working once that credential
 * is revoked — the same rule as the portal's `PartnerScope.partnerOf`, read from the same aggregate.
 */
export class AggregateRepairProviderAccess implements RepairProviderAccess {
  constructor(private readonly partners: PartnerCommands) {}
  async assertActive(principal: PartnerPrincipal): Promise<void> {
    const partner = await this.partners.get(principal.partnerId);
    if (!partner) throw new NotFoundError(`partner ${principal.partnerId} not found`);
    if (principal.subject.startsWith(`${principal.partnerId}.`) && !partner.activeClientIds.includes(principal.subject)) throw credentialRevoked();
  }
}

/** 401 for a token of a revoked credential (as the portal answers it). */
export function credentialRevoked(): HttpProblem {
  return new HttpProblem(401, 'the credential this token was issued for has been revoked', {
    type: ProblemTypes.unauthorized,
    headers: { 'WWW-Authenticate': 'Bearer realm="crm", error="invalid_token", error_description="credential revoked"' },
  });
}

/** Who acted in an interaction the provider records: its own user, the customer, or a system — never company staff. */
export type RepairActorKind = 'partner-user' | 'customer' | 'system';

export interface RepairInteractionInput {
  interactionId?: string;
  channel: Channel;
  direction: Direction;
  action: string;
  response?: string;
  actorKind?: RepairActorKind | 'staff';
  actorId?: string;
  occurredAt?: string;
}

export interface RepairShipmentInput {
  leg: ReturnLeg;
  state: ShipmentState;
  carrier?: string;
  trackingNumber?: string;
}

/**
 * A repair job as its provider sees it: the repair, the item, the fault, the legs and the job's own
 * interactions — never the customer's history, contacts or other episodes. The customer's display
 * name is added by the portal from its customer directory (it is the only thing of the customer shown).
 */
export interface RepairJobView {
  episodeId: string;
  customerId: string;
  rmaNumber: string | null;
  item: { productId: string; serialNumber: string };
  fault: string;
  status: RepairStatus;
  assignedAt: string;
  legs: Partial<Record<ReturnLeg, ShipmentLeg>>;
  interactions: Interaction[];
  openedAt: string;
  /** The last event of the job. */
  updatedAt: string;
  closed: { outcome: EpisodeOutcome; closedAt: string; reason?: string } | null;
  /** The stream revision: the ETag for If-Match. */
  revision: string;
}

const PAGE = 1000;

/**
 * The repair provider's side of a return (issue 12 §5): its view of the job and the three things it
 * does — report the repair's progress, record interactions on the job, ship its legs. Each loads the
 * return's episode once (returnRepairDecider), checks on that state that the caller is the partner
 * the repair is assigned to NOW (anyone else, a provider the repair was taken from, staff: as if the
 * job did not exist) and that its credential is still valid, judges If-Match (412 before any rule),
 * decides, appends. The provider has no share of the customer: this is its only way in, for this
 * repair only.
 */
export class RepairJobCommands {
  constructor(
    private readonly store: EventStore,
    private readonly access: RepairProviderAccess,
    private readonly settings: CommandSettings,
  ) {}

  private readonly handler = new CommandHandler(this.store, returnRepairDecider, { retries: this.settings.retries });

  /** The job as the return's own history tells it (up to date: not a read model). */
  async job(principal: Principal, episodeId: string): Promise<RepairJobView> {
    const events = await this.readAll(episodeId);
    const state = events.map((e) => ({ type: e.type, data: e.data }) as ReturnRepairEvent).reduce(returnRepairDecider.evolve, returnRepairDecider.initialState);
    await this.mayWork(principal, episodeId, state);
    return jobView(events, state!, asProvider(principal).partnerId);
  }

  /**
   * Of `episodeIds`, those whose repair is assigned to the caller now, by the store (a list from a
   * read model re-checked, so a reassignment holds at once). The credential is checked once.
   */
  async assignedToCaller(principal: Principal, episodeIds: readonly string[]): Promise<Set<string>> {
    const partner = asProvider(principal);
    try {
      await this.access.assertActive(partner);
    } catch (error) {
      if ((error as Error).name === 'NotFoundError') return new Set(); // a partner the store does not know has no jobs (a list, not a 404)
      throw error;
    }
    const states = await Promise.all(episodeIds.map(async (id) => ({ id, state: (await this.handler.load(episodeStream(id))).state })));
    return new Set(states.filter(({ state }) => state?.repair?.partnerId === partner.partnerId).map(({ id }) => id));
  }

  /** Reports the repair's progress (received, diagnosing, … repaired, replaced, unrepairable). */
  async changeStatus(principal: Principal, episodeId: string, move: { to: RepairStatus; note?: string }, options: CommandOptions = {}): Promise<CommandResult> {
    const by = { kind: 'partner' as const, partnerId: asProvider(principal).partnerId, id: partnerActorId(asProvider(principal)) };
    return this.run(
      principal,
      episodeId,
      { type: 'ChangeRepairStatus', data: { to: move.to, ...(move.note !== undefined && { note: move.note }), changedAt: this.now() }, by },
      options,
    );
  }

  /** An interaction on the job; its actor is the provider's user (default), the customer or a system. */
  async recordInteraction(principal: Principal, episodeId: string, input: RepairInteractionInput, options: CommandOptions = {}): Promise<CommandResult> {
    const partner = asProvider(principal);
    const interactionId = input.interactionId ?? randomUUID();
    const interaction: Interaction = {
      interactionId,
      channel: input.channel,
      direction: input.direction,
      actor: { kind: input.actorKind ?? 'partner-user', id: input.actorId ?? partnerActorId(partner) },
      action: input.action,
      ...(input.response !== undefined && { response: input.response }),
      occurredAt: input.occurredAt ?? this.now(),
    };
    const r = await this.run(
      principal,
      episodeId,
      { type: 'RecordRepairInteraction', data: { interaction }, by: { kind: 'partner', partnerId: partner.partnerId, id: partnerActorId(partner) } },
      options,
    );
    return { id: interactionId, revision: r.revision };
  }

  /** One of the provider's legs (received from the company, shipped back, or straight to the customer: delivered closes the return). */
  async updateShipment(principal: Principal, episodeId: string, input: RepairShipmentInput, options: CommandOptions = {}): Promise<CommandResult> {
    const by = { kind: 'partner' as const, partnerId: asProvider(principal).partnerId, id: partnerActorId(asProvider(principal)) };
    return this.run(
      principal,
      episodeId,
      {
        type: 'UpdateShipment',
        data: {
          leg: input.leg,
          state: input.state,
          ...(input.carrier !== undefined && { carrier: input.carrier }),
          ...(input.trackingNumber !== undefined && { trackingNumber: input.trackingNumber }),
          updatedAt: this.now(),
        },
        by,
      },
      options,
    );
  }

  private async run(principal: Principal, episodeId: string, command: ReturnRepairCommand, options: CommandOptions): Promise<CommandResult> {
    const r = await this.handler.handle(
      episodeStream(episodeId),
      command,
      metadataFor(principal, this.settings.clock, visibilityFor(principal), options.correlationId),
      // Access on the loaded state, before If-Match: one who may not see the job never learns it exists.
      { expectedRevision: options.expectedRevision, check: (state) => this.mayWork(principal, episodeId, state) },
    );
    return { id: episodeId, revision: r.revision };
  }

  /** The caller must be the repair's provider now, with a valid credential; anyone else reads the job as missing. */
  private async mayWork(principal: Principal, episodeId: string, state: ReturnRepairState): Promise<void> {
    const partner = asProvider(principal);
    // The credential first: a revoked one is 401 whatever it asks for (not a 404 that says "try another id").
    await this.access.assertActive(partner);
    if (!state?.repair || state.repair.partnerId !== partner.partnerId) throw new NotFoundError(`repair ${episodeId} not found`);
  }

  private async readAll(episodeId: string): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    for (let from = 0n; ;) {
      const page = await this.store.readStream(episodeStream(episodeId), { fromRevision: from, maxCount: PAGE });
      events.push(...page);
      if (page.length < PAGE) return events;
      from = page[page.length - 1].revision + 1n;
    }
  }

  private now(): string {
    return this.settings.clock.now().toISOString();
  }
}

/** Repair jobs are the provider's: staff work the return through the service department's commands. */
function asProvider(principal: Principal): PartnerPrincipal {
  if (principal.kind !== 'partner')
    throw new HttpProblem(403, 'repair jobs are the repair provider’s view; staff work the return itself', {
      type: ProblemTypes.forbidden,
      extensions: { code: 'not-a-repair-provider' },
    });
  return principal;
}

/**
 * The job as `partnerId` may see it. Its interactions are the company's (visible to the partners the
 * job is shared with) and the caller's own; those a former provider recorded carry that provider's
 * visibility (`partners: [its id]`) and are not shown to the next one.
 */
function jobView(events: readonly RecordedEvent[], state: NonNullable<ReturnRepairState>, partnerId: string): RepairJobView {
  const interactions: Interaction[] = [];
  for (const e of events) {
    if (e.type !== 'InteractionRecorded') continue;
    const partners = (e.metadata as { visibility?: Visibility } | undefined)?.visibility?.partners ?? 'shared';
    if (partners === 'shared' || partners.includes(partnerId)) interactions.push((e.data as { interaction: Interaction }).interaction);
  }
  const last = events[events.length - 1];
  return {
    episodeId: state.episodeId,
    customerId: state.customerId,
    rmaNumber: state.authorisation?.rmaNumber ?? null,
    item: { productId: state.item.productId, serialNumber: state.item.serialNumber },
    fault: state.fault,
    status: state.repair!.status,
    assignedAt: state.repair!.assignedAt,
    legs: { ...state.legs },
    interactions,
    openedAt: state.openedAt,
    updatedAt: last.recordedAt,
    closed: state.closed ?? null,
    revision: String(last.revision),
  };
}
