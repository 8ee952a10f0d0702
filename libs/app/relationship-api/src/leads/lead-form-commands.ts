import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { CommandHandler, type EventStore } from '@crm/event-store';
import type { LeadSource } from '@crm/kernel';
import { DEFAULT_LEAD_FORM_RATE_LIMIT, leadFormDecider, leadFormStream, NotFoundError, type LeadForm, type LeadFormRateLimit } from '@crm/relationship';
import type { StaffPrincipal } from '@crm/service-kit';
import { metadataFor, visibilityFor, type CommandOptions, type CommandSettings } from '../application/command-options';

/** A form's API key, as its owner receives it once: `lfk_` and 32 random bytes (base64url). */
export const newLeadFormKey = () => `lfk_${randomBytes(32).toString('base64url')}`;

/**
 * Only this is recorded. A key is 256 random bits, so a plain SHA-256 is enough: there is no
 * password to guess for which a slow hash would help.
 */
export const leadFormKeyHash = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

/** The form as staff read it: never the key, nor its hash. */
export type LeadFormView = Omit<LeadForm, 'keyHash'> & { revision: string };

export interface IssuedLeadFormKey {
  formId: string;
  /** Shown this once; the CRM keeps only its hash. */
  apiKey: string;
  revision: bigint | undefined;
}

/** Why a form post is refused (the web form endpoint answers 401, naming no more). */
export class LeadFormAuthenticationError extends Error {
  override readonly name = 'LeadFormAuthenticationError';
}

/**
 * The web forms that capture leads with their own API key: created and rotated by staff (the key
 * shown once), revoked for good. Each form lives in its own stream (`leadform-<id>`), which records
 * only the SHA-256 of its current key.
 */
export class LeadFormCommands {
  constructor(
    private readonly store: EventStore,
    private readonly settings: CommandSettings,
  ) {}

  private readonly handler = new CommandHandler(this.store, leadFormDecider, { retries: this.settings.retries });

  async create(
    principal: StaffPrincipal,
    input: { name: string; source?: LeadSource; rateLimit?: LeadFormRateLimit },
    options: CommandOptions = {},
  ): Promise<IssuedLeadFormKey> {
    const formId = randomUUID();
    const apiKey = newLeadFormKey();
    const r = await this.handler.handle(
      leadFormStream(formId),
      {
        type: 'CreateLeadForm',
        data: {
          formId,
          name: input.name,
          source: input.source ?? 'web-form',
          keyHash: leadFormKeyHash(apiKey),
          rateLimit: input.rateLimit ?? DEFAULT_LEAD_FORM_RATE_LIMIT,
          createdBy: principal.subject,
          createdAt: this.now(),
        },
      },
      this.metadata(principal, options),
      { expectedRevision: 'no_stream' },
    );
    return { formId, apiKey, revision: r.revision };
  }

  /** A new key; the old one stops working at once. */
  async rotateKey(principal: StaffPrincipal, formId: string, options: CommandOptions = {}): Promise<IssuedLeadFormKey> {
    const apiKey = newLeadFormKey();
    const r = await this.handler.handle(
      leadFormStream(formId),
      { type: 'RotateLeadFormKey', data: { formId, keyHash: leadFormKeyHash(apiKey), rotatedBy: principal.subject, rotatedAt: this.now() } },
      this.metadata(principal, options),
      { expectedRevision: options.expectedRevision, check: (state) => this.mustExist(formId, state) },
    );
    return { formId, apiKey, revision: r.revision };
  }

  async revoke(principal: StaffPrincipal, formId: string, options: CommandOptions = {}): Promise<void> {
    await this.handler.handle(
      leadFormStream(formId),
      { type: 'RevokeLeadForm', data: { formId, revokedBy: principal.subject, revokedAt: this.now() } },
      this.metadata(principal, options),
      { expectedRevision: options.expectedRevision, check: (state) => this.mustExist(formId, state) },
    );
  }

  async get(formId: string): Promise<LeadFormView> {
    const { state, revision } = await this.handler.load(leadFormStream(formId));
    if (!state || revision === undefined) throw new NotFoundError(`lead form ${formId} not found`);
    const { keyHash: _hash, ...form } = state;
    return { ...form, revision: revision.toString() };
  }

  /** The form a post comes from, if `apiKey` is its current key and it is not revoked. Compared in constant time. */
  async authenticate(formId: string, apiKey: string | undefined): Promise<LeadForm> {
    if (!apiKey) throw new LeadFormAuthenticationError('an API key is required (x-api-key)');
    const { state } = await this.handler.load(leadFormStream(formId));
    const presented = Buffer.from(leadFormKeyHash(apiKey), 'hex');
    // Hash compared even for an unknown form, so the answer's timing tells nothing about which forms exist.
    const expected = Buffer.from(state?.keyHash ?? '0'.repeat(64), 'hex');
    if (!state || !timingSafeEqual(presented, expected) || state.revokedAt)
      throw new LeadFormAuthenticationError('unknown form, or a wrong or revoked API key');
    return state;
  }

  private mustExist(formId: string, state: unknown): void {
    if (!state) throw new NotFoundError(`lead form ${formId} not found`);
  }

  private metadata(principal: StaffPrincipal, options: CommandOptions) {
    return metadataFor(principal, this.settings.clock, visibilityFor(principal), options.correlationId);
  }

  private now(): string {
    return this.settings.clock.now().toISOString();
  }
}
