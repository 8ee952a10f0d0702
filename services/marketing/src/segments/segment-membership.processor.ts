import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Clock } from '@crm/kernel';
import { READ_MODELS, TickLoop, type ReadModelRunners } from '@crm/relationship-api';
import { dependsOnTime, type MembershipReason, type SegmentRule } from '@crm/segments';
import { CLOCK, SERVICE_CONFIG, type ServiceConfig } from '@crm/service-kit';
import type { EntityManager } from 'typeorm';
import { SegmentMembershipCommands } from './segment-commands';
import { SegmentFactChangeRow } from './segment-facts.entities';
import { activeSegments, archivedWithMembers, currentMemberIds, evaluateRule } from './segments.queries';

export interface MembershipTickResult {
  entered: number;
  left: number;
  /** Customers whose changed facts were looked at. */
  customersChecked: number;
  /** Segments evaluated over every customer (new or revised, or moving with time and due). */
  segmentsEvaluated: number;
}

/**
 * Dynamic membership (issue 13 §2). Each tick, by the injected clock:
 * 1. a segment that is new or revised since this processor last evaluated it — or whose rule moves
 *    with time alone (a window, RFM) and was last evaluated `reevaluateMs` ago — is evaluated over
 *    every customer;
 * 2. the customers whose facts changed (the facts projection marks them in the same transaction as
 *    the facts) are evaluated against every active segment, and their marks cleared (only the
 *    version seen: a change meanwhile stays for the next tick);
 * 3. an archived segment's remaining members leave.
 * What the rule says is compared with the members the read model shows; each difference is a
 * `SegmentEntered` / `SegmentLeft` through the membership decider, which records nothing when the
 * stream already says so (the read model may lag behind an append). Nothing here is state that must
 * survive a restart: after one, every segment is evaluated once in full, and what is already
 * recorded is not recorded again.
 */
export class SegmentMembershipProcessor {
  private readonly evaluated = new Map<string, { segmentRevision: number; at: number }>();

  constructor(
    private readonly manager: () => EntityManager,
    private readonly memberships: SegmentMembershipCommands,
    private readonly clock: Clock,
    private readonly options: { currency: string; reevaluateMs: number; batchSize?: number },
  ) {}

  async tick(): Promise<MembershipTickResult> {
    const manager = this.manager();
    const now = this.clock.now();
    const result: MembershipTickResult = { entered: 0, left: 0, customersChecked: 0, segmentsEvaluated: 0 };
    const segments = await activeSegments(manager);
    for (const segment of segments) {
      const last = this.evaluated.get(segment.segmentId);
      const due =
        !last || last.segmentRevision !== segment.segmentRevision || (dependsOnTime(segment.rule) && now.getTime() - last.at >= this.options.reevaluateMs);
      if (!due) continue;
      await this.reconcile(manager, segment, now, undefined, result);
      this.evaluated.set(segment.segmentId, { segmentRevision: segment.segmentRevision, at: now.getTime() });
      result.segmentsEvaluated++;
    }
    const changes = manager.getRepository(SegmentFactChangeRow);
    const changed = await changes.find({ order: { customerId: 'ASC' }, take: this.options.batchSize ?? 500 });
    if (changed.length) {
      const ids = changed.map((c) => c.customerId);
      for (const segment of segments) await this.reconcile(manager, segment, now, ids, result);
      result.customersChecked = ids.length;
      await manager.query(
        `DELETE FROM ${changes.metadata.tablePath} c USING jsonb_to_recordset($1::jsonb) AS x(customer_id text, version bigint) WHERE c.customer_id = x.customer_id AND c.version = x.version`,
        [JSON.stringify(changed.map((c) => ({ customer_id: c.customerId, version: c.version })))],
      );
    }
    for (const archived of await archivedWithMembers(manager))
      for (const customerId of await currentMemberIds(manager, archived.segmentId))
        if (await this.change('leave', archived.segmentId, customerId, archived.segmentRevision, now, 'segment-archived')) result.left++;
    return result;
  }

  private async reconcile(
    manager: EntityManager,
    segment: { segmentId: string; rule: SegmentRule; segmentRevision: number },
    now: Date,
    customerIds: readonly string[] | undefined,
    result: MembershipTickResult,
  ): Promise<void> {
    const should = new Set((await evaluateRule(manager, segment.rule, now, this.options.currency, customerIds)).map((c) => c.customerId));
    const are = new Set(await currentMemberIds(manager, segment.segmentId, customerIds));
    for (const id of should)
      if (!are.has(id) && (await this.change('enter', segment.segmentId, id, segment.segmentRevision, now, 'rule-matches'))) result.entered++;
    for (const id of are)
      if (!should.has(id) && (await this.change('leave', segment.segmentId, id, segment.segmentRevision, now, 'rule-no-longer-matches'))) result.left++;
  }

  private change(
    kind: 'enter' | 'leave',
    segmentId: string,
    customerId: string,
    segmentRevision: number,
    at: Date,
    reason: MembershipReason,
  ): Promise<boolean> {
    return this.memberships.change(kind, { segmentId, customerId, segmentRevision, at, reason });
  }
}

/** The processor in the marketing service: started with the app, stopped (after its tick) when it closes. */
@Injectable()
export class SegmentMembershipService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SegmentMembership');
  readonly processor: SegmentMembershipProcessor;
  readonly loop: TickLoop<MembershipTickResult>;

  constructor(
    memberships: SegmentMembershipCommands,
    @Inject(READ_MODELS) readModels: ReadModelRunners,
    @Inject(CLOCK) clock: Clock,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    this.processor = new SegmentMembershipProcessor(() => readModels.dataSource.manager, memberships, clock, {
      currency: config.CRM_REPORTING_CURRENCY,
      reevaluateMs: config.CRM_SEGMENT_REEVALUATE_MS,
    });
    this.loop = new TickLoop('segment membership', () => this.processor.tick(), {
      intervalMs: config.CRM_SEGMENT_PROCESSOR_INTERVAL_MS,
      logger: { warn: (message) => this.logger.warn(message) },
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop.stop();
  }
}
