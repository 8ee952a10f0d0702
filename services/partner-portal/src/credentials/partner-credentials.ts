import { Injectable } from '@nestjs/common';
import { PartnerCommands } from '@crm/relationship-api';
import type { PartnerUserRole } from '@crm/relationship';
import type { Principal, StaffPrincipal } from '@crm/service-kit';
import { hashClientSecret, newClientId, newClientSecret, partnerIdOfClientId } from './credential-secrets';

export interface ActiveCredential {
  partnerId: string;
  clientId: string;
  secretHash: string;
  /** The partner user the credential is bound to, and that user's role now (absent: an organisation credential). */
  user?: { userId: string; role?: PartnerUserRole };
}

export interface IssuedCredential {
  clientId: string;
  /** Shown once: only its scrypt hash is stored. */
  clientSecret: string;
}

/**
 * Where partner credentials live: in the partner's own stream, nowhere else. Credential events carry
 * no customer id, so the relay does not publish them and no read model sees them (the secret hashes
 * never leave the event store); the token exchange reads the one partner aggregate the client id names.
 */
@Injectable()
export class PartnerCredentials {
  constructor(private readonly partners: PartnerCommands) {}

  /**
   * Issues a new credential; the secret is returned here once and only its hash is stored. 404 for an
   * unknown partner. With `userId`, the credential is bound to that user of the partner (issue 14 §1):
   * its tokens name the user and stop working when the user is removed.
   */
  async issue(principal: Principal, partnerId: string, userId?: string): Promise<IssuedCredential> {
    const clientId = newClientId(partnerId);
    const clientSecret = newClientSecret();
    await this.partners.issueCredential(principal, partnerId, clientId, await hashClientSecret(clientSecret), { ...(userId !== undefined && { userId }) });
    return { clientId, clientSecret };
  }

  /** The credential of `clientId` if it was issued and has not been revoked since. */
  async findActive(clientId: string): Promise<ActiveCredential | undefined> {
    const partnerId = partnerIdOfClientId(clientId);
    if (!partnerId) return undefined;
    const partner = await this.partners.get(partnerId);
    const secretHash = partner?.secretHashes[clientId];
    if (!partner || secretHash === undefined || partner.deactivatedAt) return undefined;
    const userId = partner.credentialUsers[clientId];
    if (userId === undefined) return { partnerId, clientId, secretHash };
    const user = partner.users[userId];
    return user ? { partnerId, clientId, secretHash, user } : undefined;
  }

  /**
   * Revokes a credential: the token exchange refuses it from now on, and tokens already issued for
   * it stop working at their next request (`PartnerScope` checks the partner's active client ids).
   */
  async revoke(principal: StaffPrincipal, partnerId: string, clientId: string): Promise<void> {
    await this.partners.revokeCredential(principal, partnerId, clientId);
  }
}
