import { Inject, Injectable } from '@nestjs/common';
import type { Clock, EpisodeType } from '@crm/kernel';
import { NotFoundError, partnerCallerStanding, shareInForce, type Partner, type PartnerShare, type PartnerUserRole } from '@crm/relationship';
import { PartnerCommands, READ_MODELS, type PartnerAccess, type ReadModelRunners } from '@crm/relationship-api';
import { CLOCK, HttpProblem, ProblemTypes, type PartnerPrincipal } from '@crm/service-kit';
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
 *
 * A share's scope (issue 14 §2) is enforced here too, with the injected clock: a share past its
 * `expiresAt` is no share (404, as unshared — both the aggregate and the read model compare the
 * expiry with now; no event is needed); a `read` share lets the partner read but refuses its
 * writes with 403 (the customer is shared, so saying so reveals nothing); the timeline shows only
 * the share's episode types, and the partner's own episodes.
 */
function invalidToken(detail: string, description: string): HttpProblem {
  return new HttpProblem(401, detail, {
    type: ProblemTypes.unauthorized,
    headers: { 'WWW-Authenticate': `Bearer realm="crm", error="invalid_token", error_description="${description}"` },
  });
}

/** The episode types each partner user role works on (organisation credentials: every type). */
const ROLE_EPISODE_TYPES: Readonly<Record<PartnerUserRole, readonly EpisodeType[]>> = {
  admin: ['partner-deal', 'return-repair'],
  sales: ['partner-deal'],
  service: ['return-repair'],
};

/** 403 unless the user's role works on episodes of `episodeType` (a sales user opens no return, a service user no partner deal). */
export function assertRoleMayWork(role: PartnerUserRole | null | undefined, episodeType: EpisodeType): void {
  if (role === undefined || (role !== null && ROLE_EPISODE_TYPES[role].includes(episodeType))) return;
  throw new HttpProblem(403, `a partner user with the role ${role ?? '(none)'} does not work on ${episodeType} episodes`, {
    type: ProblemTypes.forbidden,
    extensions: { code: 'role-not-allowed' },
  });
}

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
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The injected clock's now: when a share's expiry is judged. */
  now(): Date {
    return this.clock.now();
  }

  get manager(): EntityManager {
    return this.readModels.dataSource.manager;
  }

  /**
   * The caller's partner aggregate. A token issued by the portal's token exchange names its
   * credential (`sub` = client id): once that credential is revoked, the token stops working too.
   * A user's token (issue 14 §1) stops working once the user is removed; every token of the portal
   * stops once the partner is deactivated. Any other partner token (an identity provider's) of a
   * deactivated partner reads as a partner with nothing: every customer is 404.
   */
  async partnerOf(principal: PartnerPrincipal): Promise<Partner | undefined> {
    const partner = await this.partners.get(principal.partnerId);
    const portalToken = partnerIdOfClientId(principal.subject) === principal.partnerId;
    if (portalToken && !partner?.activeClientIds.includes(principal.subject))
      throw invalidToken('the credential this token was issued for has been revoked', 'credential revoked');
    const standing = partnerCallerStanding(partner, principal.subject, principal.userId);
    if (standing === 'user-removed') throw invalidToken('the user this token was issued for has been removed', 'user removed');
    if (standing === 'credential-revoked') throw invalidToken('the credential this token was issued for does not belong to its user', 'credential revoked');
    if (standing === 'deactivated') {
      if (portalToken || principal.userId !== undefined) throw invalidToken('the partnership has ended', 'partner deactivated');
      return undefined;
    }
    return partner;
  }

  /**
   * The caller's role as a partner user now (issue 14 §1), read from the aggregate: `undefined` for an
   * organisation credential (every right, as before users existed), `null` for a user without a role.
   */
  roleOf(partner: Partner | undefined, principal: PartnerPrincipal): PartnerUserRole | null | undefined {
    if (principal.userId === undefined) return undefined;
    return partner?.users[principal.userId]?.role ?? null;
  }

  /** True while `customerId` is shared with the caller (by the aggregate AND the read model) and is known. */
  async mayRead(principal: PartnerPrincipal, customerId: string, partner?: Partner): Promise<boolean> {
    return (await this.shareOf(principal, customerId, partner)) !== undefined;
  }

  /** The share in force (not revoked, not expired: aggregate AND read model) of a known customer, else undefined. */
  async shareOf(principal: PartnerPrincipal, customerId: string, partner?: Partner): Promise<PartnerShare | undefined> {
    const p = partner ?? (await this.partnerOf(principal));
    const now = this.now();
    const share = shareInForce(p, customerId, now);
    if (!share) return undefined;
    const shown = (await partnerMayRead(this.manager, principal.partnerId, customerId, now)) && (await customerExists(this.manager, customerId));
    return shown ? share : undefined;
  }

  /**
   * Before a partner's write (PartnerAccess): 404 unless shared (as `assertMayRead`), 403 when the
   * share is read-only.
   */
  async assertShared(principal: PartnerPrincipal, customerId: string, episodeType?: EpisodeType): Promise<void> {
    const partner = await this.partnerOf(principal);
    if (episodeType) assertRoleMayWork(this.roleOf(partner, principal), episodeType);
    const share = await this.shareOf(principal, customerId, partner);
    if (!share) throw new NotFoundError(`customer ${customerId} not found`);
    if (share.access === 'read') throw new HttpProblem(403, `customer ${customerId} is shared with you read-only`, { type: ProblemTypes.forbidden });
  }

  /** 404 — the same as for a customer that does not exist — unless the customer is shared with the caller. */
  async assertMayRead(principal: PartnerPrincipal, customerId: string): Promise<PartnerShare> {
    const share = await this.shareOf(principal, customerId);
    if (!share) throw new NotFoundError(`customer ${customerId} not found`);
    return share;
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
    const now = this.now();
    return new Set((partner?.sharedCustomerIds ?? []).filter((id) => shareInForce(partner, id, now)));
  }
}
