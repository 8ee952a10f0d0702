import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { handleCommand, type EventStore } from '@crm/event-store';
import { decidePartner, evolvePartner, NotFoundError, partnerStream, type PartnerEvent, type PartnerState } from '@crm/relationship';
import { RelationshipCommands } from '@crm/relationship-api';
import { actorFromPrincipal, EVENT_STORE, type StaffPrincipal } from '@crm/service-kit';
import { hashClientSecret, newClientId, newClientSecret, partnerIdOfClientId } from './credential-secrets';

export interface ActiveCredential {
  partnerId: string;
  clientId: string;
  secretHash: string;
}

const PAGE = 500;

/**
 * Where partner credentials live: in the partner's own stream, nowhere else. Credential events carry
 * no customer id, so the relay does not publish them and no read model sees them (the secret hashes
 * never leave the event store); the token exchange reads the one partner stream the client id names.
 */
@Injectable()
export class PartnerCredentials {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly commands: RelationshipCommands,
  ) {}

  /** Issues a new credential; the secret is returned here once and only its hash is stored. */
  async issue(principal: StaffPrincipal, partnerId: string): Promise<{ clientId: string; clientSecret: string }> {
    if (!(await this.commands.partner(partnerId))) throw new NotFoundError(`partner ${partnerId} not found`);
    const clientId = newClientId(partnerId);
    const clientSecret = newClientSecret();
    await this.commands.issueCredential(principal, partnerId, clientId, await hashClientSecret(clientSecret));
    return { clientId, clientSecret };
  }

  /** The credential of `clientId` if it was issued and has not been revoked since. */
  async findActive(clientId: string): Promise<ActiveCredential | undefined> {
    const partnerId = partnerIdOfClientId(clientId);
    if (!partnerId) return undefined;
    let secretHash: string | undefined;
    for (let from = 0n; ; ) {
      const page = await this.store.readStream(partnerStream(partnerId), { fromRevision: from, maxCount: PAGE });
      for (const recorded of page) {
        const event = { type: recorded.type, data: recorded.data } as PartnerEvent;
        if (event.type === 'PartnerCredentialIssued' && event.data.clientId === clientId) secretHash = event.data.secretHash;
        if (event.type === 'PartnerCredentialRevoked' && event.data.clientId === clientId) secretHash = undefined;
      }
      if (page.length < PAGE) break;
      from = page[page.length - 1].revision + 1n;
    }
    return secretHash === undefined ? undefined : { partnerId, clientId, secretHash };
  }

  /**
   * Revokes a credential: the token exchange refuses it from now on, and tokens already issued for
   * it stop working at their next request (`PartnerScope` checks the partner's active client ids).
   * RelationshipCommands has no revokeCredential, so the partner decider is called here directly.
   */
  async revoke(principal: StaffPrincipal, partnerId: string, clientId: string): Promise<void> {
    const partner: PartnerState = await this.commands.partner(partnerId);
    if (!partner?.activeClientIds.includes(clientId)) throw new NotFoundError(`credential ${clientId} of partner ${partnerId} not found`);
    await handleCommand(
      this.store,
      partnerStream(partnerId),
      { evolve: evolvePartner, decide: decidePartner, initialState: undefined as PartnerState },
      { type: 'RevokeCredential', data: { partnerId, clientId, revokedAt: new Date().toISOString() } },
      {
        correlationId: randomUUID(),
        actor: actorFromPrincipal(principal),
        occurredAt: new Date().toISOString(),
        visibility: { departments: ['management'], partners: [] },
      },
    );
  }
}
