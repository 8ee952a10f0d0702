import { createHash } from 'node:crypto';
import { CommandHandler, type EventStore, type EventMetadata } from '@crm/event-store';
import { ConflictError, DomainRuleViolation, type Decider } from '@crm/kernel';
import { sameIdentity, type CustomerState, type Identity } from '@crm/relationship';

/**
 * "An identity belongs to one live customer only", made strongly consistent without a unique index
 * on a read model: each identity has a claim stream, `identity-<sha256>`, and a customer takes it with
 * an optimistic append. Claim events hold the hash and the holder, never the identity itself, and no
 * customer id field, so they stay private to the store (the relay publishes only customer events).
 *
 * Claiming and recording the identity on the customer are two appends; if a process dies between
 * them, the claim names a holder that does not have the identity. Such a claim counts as free: the
 * holder is always checked against the customer's own stream.
 */
type ClaimEvent =
  | { type: 'IdentityClaimed'; data: { identityHash: string; holderId: string } }
  | { type: 'IdentityReleased'; data: { identityHash: string; holderId: string } };
type ClaimState = { holderId?: string };
type ClaimCommand = { type: 'Claim' | 'Release'; identityHash: string; holderId: string; currentHolderIsLive: boolean };

const claimDecider: Decider<ClaimState, ClaimCommand, ClaimEvent> = {
  initialState: {},
  evolve: (_state, event) => (event.type === 'IdentityClaimed' ? { holderId: event.data.holderId } : {}),
  decide: (command, state) => {
    const data = { identityHash: command.identityHash, holderId: command.holderId };
    if (command.type === 'Release') return state.holderId === command.holderId ? [{ type: 'IdentityReleased', data }] : [];
    if (state.holderId === command.holderId) return [];
    if (state.holderId && command.currentHolderIsLive) throw new DomainRuleViolation('identity-taken', 'the identity belongs to another customer');
    return [{ type: 'IdentityClaimed', data }];
  },
};

export const identityHash = (identity: Identity): string =>
  createHash('sha256')
    .update(`${identity.kind}\u0000${identity.system ?? ''}\u0000${identity.value.trim().toLowerCase()}`)
    .digest('hex');

export class IdentityClaims {
  constructor(
    private readonly store: EventStore,
    /** Reads a customer's current state (to tell a live holder from a stale claim). */
    private readonly customer: (customerId: string) => Promise<CustomerState>,
  ) {}

  private readonly handler = new CommandHandler(this.store, claimDecider, { retries: 2 });

  /** The live customer holding `identity`, if any. */
  async holderOf(identity: Identity): Promise<string | undefined> {
    const { state } = await this.handler.load(`identity-${identityHash(identity)}`);
    return state.holderId && (await this.holds(state.holderId, identity)) ? state.holderId : undefined;
  }

  /**
   * Takes the identity for `customerId`. A live customer holding it already is a ConflictError
   * (`identity-taken`, with `holderId`), decided on the claim as it was loaded.
   */
  async claim(identity: Identity, customerId: string, metadata: Omit<EventMetadata, 'causationId'>): Promise<void> {
    const hash = identityHash(identity);
    let liveHolder: string | undefined;
    await this.handler.handle(
      `identity-${hash}`,
      (): ClaimCommand => ({ type: 'Claim', identityHash: hash, holderId: customerId, currentHolderIsLive: liveHolder !== undefined }),
      metadata,
      {
        check: async (state) => {
          liveHolder = state.holderId && state.holderId !== customerId && (await this.holds(state.holderId, identity)) ? state.holderId : undefined;
          if (liveHolder)
            throw new ConflictError('identity-taken', `this ${identity.kind} belongs to customer ${liveHolder}`, {
              holderId: liveHolder,
              identityKind: identity.kind,
            });
        },
      },
    );
  }

  /** Gives the identity up (after the customer removed it); a claim held by another is left alone. */
  async release(identity: Identity, customerId: string, metadata: Omit<EventMetadata, 'causationId'>): Promise<void> {
    const hash = identityHash(identity);
    await this.handler.handle(`identity-${hash}`, { type: 'Release', identityHash: hash, holderId: customerId, currentHolderIsLive: false }, metadata);
  }

  private async holds(customerId: string, identity: Identity): Promise<boolean> {
    const customer = await this.customer(customerId);
    return !!customer?.identities.some((i) => sameIdentity(i, identity));
  }
}
