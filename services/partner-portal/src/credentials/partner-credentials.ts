import { Injectable } from '@nestjs/common';
import { PartnerCommands } from '@crm/relationship-api';
import type { StaffPrincipal } from '@crm/service-kit';
import { hashClientSecret, newClientId, newClientSecret, partnerIdOfClientId } from './credential-secrets';

export interface ActiveCredential {
  partnerId: string;
  clientId: string;
  secretHash: string;
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

  /** Issues a new credential; the secret is returned here once and only its hash is stored. 404 for an unknown partner. */
  async issue(principal: StaffPrincipal, partnerId: string): Promise<IssuedCredential> {
    const clientId = newClientId(partnerId);
    const clientSecret = newClientSecret();
    await this.partners.issueCredential(principal, partnerId, clientId, await hashClientSecret(clientSecret));
    return { clientId, clientSecret };
  }

  /** The credential of `clientId` if it was issued and has not been revoked since. */
  async findActive(clientId: string): Promise<ActiveCredential | undefined> {
    const partnerId = partnerIdOfClientId(clientId);
    if (!partnerId) return undefined;
    const secretHash = (await this.partners.get(partnerId))?.secretHashes[clientId];
    return secretHash === undefined ? undefined : { partnerId, clientId, secretHash };
  }

  /**
   * Revokes a credential: the token exchange refuses it from now on, and tokens already issued for
   * it stop working at their next request (`PartnerScope` checks the partner's active client ids).
   */
  async revoke(principal: StaffPrincipal, partnerId: string, clientId: string): Promise<void> {
    await this.partners.revokeCredential(principal, partnerId, clientId);
  }
}
