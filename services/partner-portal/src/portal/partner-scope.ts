import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError, type Partner } from '@crm/relationship';
import { PartnerCommands, READ_MODELS, type PartnerAccess, type ReadModelRunners } from '@crm/relationship-api';
import { HttpProblem, ProblemTypes, type PartnerPrincipal } from '@crm/service-kit';
import { customerExists, partnerMayRead } from '@crm/relationship-read-models';
import type { EntityManager } from 'typeorm';
import { partnerIdOfClientId } from '../credentials/credential-secrets';

/**
 * What a partner may see, decided where the data is read — before every read of a customer and
 * before every write that touches one.
 *
 * A customer is readable only while BOTH say it is shared:
 * - the `partner_access` read model (`partnerMayRead`), which the data being read comes from; and
 * - the partner aggregate itself (`PartnerCommands.get(id).sharedCustomerIds`), read from
 *   the event store.
 *
 * Why both: read models are eventually consistent. In embedded mode the projection follows the store
 * within milliseconds, in distributed mode it trails by the relay and Kafka — and for that window a
 * revoked customer would still read as shared. The aggregate is read from the store the revoke was
 * appended to, so once `DELETE /partners/:id/shares/:customerId` has answered, every later request
 * of that partner gets 404: revocation takes effect at once, strictly. (A grant, the other way round,
 * becomes visible when the projection has caught up too — never earlier than the data to show.)
 *
 * Anything not shared answers exactly like a customer that does not exist (404, same body), so a
 * partner learns nothing about customers it was not given.
 */
/** What a partner is told about a customer whose read model is missing events. */
export interface PartnerStaleness {
  stale: true;
  since: string;
}

@Injectable()
export class PartnerScope implements PartnerAccess {
  constructor(
    private readonly partners: PartnerCommands,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
  ) {}

  get manager(): EntityManager {
    return this.readModels.dataSource.manager;
  }

  /**
   * The caller's partner aggregate. A token issued by the portal's token exchange names its
   * credential (`sub` = client id): once that credential is revoked, the token stops working too.
   */
  async partnerOf(principal: PartnerPrincipal): Promise<Partner | undefined> {
    const partner = await this.partners.get(principal.partnerId);
    if (partnerIdOfClientId(principal.subject) === principal.partnerId && !partner?.activeClientIds.includes(principal.subject)) {
      throw new HttpProblem(401, 'the credential this token was issued for has been revoked', {
        type: ProblemTypes.unauthorized,
        headers: { 'WWW-Authenticate': 'Bearer realm="crm", error="invalid_token", error_description="credential revoked"' },
      });
    }
    return partner;
  }

  /** True while `customerId` is shared with the caller (by the aggregate AND the read model) and is known. */
  async mayRead(principal: PartnerPrincipal, customerId: string, partner?: Partner): Promise<boolean> {
    const p = partner ?? (await this.partnerOf(principal));
    if (!p?.sharedCustomerIds.includes(customerId)) return false;
    return (await partnerMayRead(this.manager, principal.partnerId, customerId)) && (await customerExists(this.manager, customerId));
  }

  /** As `assertMayRead`: the application layer asks it before a partner's write (PartnerAccess). */
  assertShared(principal: PartnerPrincipal, customerId: string): Promise<void> {
    return this.assertMayRead(principal, customerId);
  }

  /** 404 — the same as for a customer that does not exist — unless the customer is shared with the caller. */
  async assertMayRead(principal: PartnerPrincipal, customerId: string): Promise<void> {
    if (!(await this.mayRead(principal, customerId))) throw new NotFoundError(`customer ${customerId} not found`);
  }

  /**
   * Whether events about a customer are parked (not shown yet). Partners learn only that, and since
   * when — not how many, nor whose events they are.
   */
  async staleness(customerId: string): Promise<PartnerStaleness | undefined> {
    const stale = await this.readModels.staleness(customerId);
    return stale ? { stale: true, since: stale.since } : undefined;
  }

  /** The customers the partner aggregate currently shares with the caller (callers intersect it with the read model). */
  async sharedCustomerIds(principal: PartnerPrincipal): Promise<Set<string>> {
    const partner = await this.partnerOf(principal);
    return new Set(partner?.sharedCustomerIds ?? []);
  }
}
