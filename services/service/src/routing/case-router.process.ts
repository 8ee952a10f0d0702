import { routeCases, type AgentCandidate, type RoutingRule, type WaitingCase } from '@crm/case-routing';
import type { ProcessLease } from '@crm/platform';
import type { Clock } from '@crm/kernel';
import { describeError, TickLoop } from '@crm/relationship-api';
import type { SlaTimeLeft } from './case-assignment.port';
import type { CaseRoutingCommands } from './case-routing-commands';

export interface CaseRouterReads {
  /** Open cases no agent holds (the routing read model). */
  waiting(): Promise<Omit<WaitingCase, 'slaMinutesLeft'>[]>;
  agents(): Promise<AgentCandidate[]>;
  /** Pending offers whose time is up at `now`. */
  expired(now: Date): Promise<{ episodeId: string; offerId: string }[]>;
  /** Which of these offers the read model shows already (so they count there). */
  known(offerIds: readonly string[]): Promise<Set<string>>;
  rules(): Promise<readonly RoutingRule[]>;
}

export interface CaseRouterOptions {
  /** How often it routes, in real time; 0: only when `tick()` is called. Default 1,000 ms. */
  intervalMs?: number;
  /** How long an agent has to answer an offer. */
  offerTimeoutMs: number;
  logger?: { warn(message: string): void };
  /**
   * Held by one router of all the service's instances at a time (`Platform.processLease`); a router
   * without it does nothing on its ticks. Absent: this router is the only one.
   */
  lease?: ProcessLease;
}

export interface CaseRouterTick {
  at: string;
  /** False when another instance's router holds the lease: this tick did nothing. */
  leader: boolean;
  expired: { episodeId: string; offerId: string }[];
  offered: { episodeId: string; agentId: string; offerId: string; priority: number }[];
  waiting: number;
  failed: { episodeId: string; error: string }[];
}

/**
 * The router process (service), on the injected clock through the `TickLoop`: each tick first records
 * the expiry of offers whose time has come (`CaseOfferExpired` at the exact `expiresAt`, once: the
 * append expects the revision read and uses an id derived from the offer), then offers the waiting
 * cases in queue order to the best agents (`routeCases`, pure).
 *
 * It keeps no state a restart would lose: what waits, who is free and which offers are due is in the
 * routing read model. The one thing it remembers is the offers it made that the read model does not
 * show yet, so that they count against their agents' capacity (and their cases wait) until it does:
 * a read model a moment behind never puts an agent above capacity. That holds for one router, so
 * the instances of the service share a lease and only its holder routes (two routers would each
 * count only their own offers in flight); another instance takes over when the holder stops or dies.
 */
export class CaseRouter {
  private readonly loop: TickLoop<CaseRouterTick>;
  private readonly inFlight = new Map<string, { episodeId: string; agentId: string }>();

  constructor(
    private readonly commands: CaseRoutingCommands,
    private readonly reads: CaseRouterReads,
    private readonly sla: SlaTimeLeft,
    private readonly clock: Clock,
    private readonly options: CaseRouterOptions,
  ) {
    this.loop = new TickLoop('case router', () => this.tickNow(), options);
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await this.options.lease?.release();
  }

  /** Expires and routes now. One tick at a time: a call during a tick runs after it. */
  tick(): Promise<CaseRouterTick> {
    return this.loop.tick();
  }

  private async tickNow(): Promise<CaseRouterTick> {
    const now = this.clock.now();
    const result: CaseRouterTick = { at: now.toISOString(), leader: true, expired: [], offered: [], waiting: 0, failed: [] };
    if (this.options.lease && !(await this.options.lease.hold())) {
      // Another instance routes. What this one offered is in the store; the read model will show it.
      this.inFlight.clear();
      return { ...result, leader: false };
    }
    for (const due of await this.reads.expired(now)) {
      try {
        if ((await this.commands.expire(due.episodeId, due.offerId)).appended) result.expired.push(due);
      } catch (error) {
        result.failed.push({ episodeId: due.episodeId, error: describeError(error) });
        this.options.logger?.warn(`case router: expiring offer ${due.offerId} failed (${describeError(error)}); trying again on the next tick`);
      }
      this.inFlight.delete(due.offerId);
    }
    // Offers the read model shows now count there; forget them here.
    for (const id of await this.reads.known([...this.inFlight.keys()])) this.inFlight.delete(id);
    const inFlightCases = new Set([...this.inFlight.values()].map((o) => o.episodeId));
    const inFlightPerAgent = new Map<string, number>();
    for (const o of this.inFlight.values()) inFlightPerAgent.set(o.agentId, (inFlightPerAgent.get(o.agentId) ?? 0) + 1);

    const [waiting, agents, rules] = await Promise.all([this.reads.waiting(), this.reads.agents(), this.reads.rules()]);
    result.waiting = waiting.length;
    const sla = waiting.length
      ? await this.sla.minutesLeft(
          waiting.map((c) => c.episodeId),
          now,
        )
      : new Map<string, number>();
    const cases: WaitingCase[] = waiting.map((c) => ({
      ...c,
      slaMinutesLeft: sla.get(c.episodeId) ?? null,
      hasPendingOffer: c.hasPendingOffer || inFlightCases.has(c.episodeId),
    }));
    const candidates = agents.map((a) => ({ ...a, pendingOffers: a.pendingOffers + (inFlightPerAgent.get(a.agentId) ?? 0) }));
    const { offers } = routeCases({ now, cases, agents: candidates, rules });
    for (const decision of offers) {
      try {
        const made = await this.commands.offer(decision, this.options.offerTimeoutMs);
        if (!made) continue;
        this.inFlight.set(made.offerId, { episodeId: decision.episodeId, agentId: decision.agentId });
        result.offered.push({ episodeId: decision.episodeId, agentId: decision.agentId, offerId: made.offerId, priority: decision.priority.priority });
      } catch (error) {
        result.failed.push({ episodeId: decision.episodeId, error: describeError(error) });
        this.options.logger?.warn(`case router: offering case ${decision.episodeId} failed (${describeError(error)}); trying again on the next tick`);
      }
    }
    return result;
  }
}
