import { DomainRuleViolation, type Decider } from '@crm/kernel';

/**
 * The e-mail suppression list (issue 13 §3): an address that hard-bounced, whose owner complained,
 * or that staff suppressed, is never mailed again by any campaign until staff release it. One stream
 * per address, `emailsuppression-<addressKey>`. The address itself is never in an event (it is
 * personal data, and a list of dead addresses would outlive an erasure): `addressKey` is a keyed
 * hash of it (HMAC-SHA256 of the trimmed, lower-cased address, hex), computed by the service that
 * holds the secret — this lib only sees the key.
 */

export const ADDRESS_SUPPRESSION_REASONS = ['hard-bounce', 'async-hard-bounce', 'complaint', 'manual'] as const;
export type AddressSuppressionReason = (typeof ADDRESS_SUPPRESSION_REASONS)[number];

/** 64 lower-case hex digits: an HMAC-SHA256. */
export const ADDRESS_KEY = /^[0-9a-f]{64}$/;
export const emailSuppressionStream = (addressKey: string) => `emailsuppression-${addressKey}`;

export interface EmailAddressSuppressedData {
  addressKey: string;
  reason: AddressSuppressionReason;
  /** The campaign message that bounced or was complained about (none for a manual suppression). */
  campaignId?: string;
  messageRef?: string;
  customerId?: string;
  /** Staff who suppressed it by hand (`manual`), or the system that recorded the bounce. */
  by: string;
  /** Staff's words for a manual suppression, or the server's answer to a bounce (≤ 2,000 characters). */
  note?: string;
  at: string;
}

export interface EmailAddressUnsuppressedData {
  addressKey: string;
  by: string;
  reason: string;
  at: string;
}

export type EmailSuppressionEvent =
  { type: 'EmailAddressSuppressed'; data: EmailAddressSuppressedData } | { type: 'EmailAddressUnsuppressed'; data: EmailAddressUnsuppressedData };

export type EmailSuppressionCommand =
  { type: 'SuppressAddress'; data: EmailAddressSuppressedData } | { type: 'ReleaseAddress'; data: EmailAddressUnsuppressedData };

export interface EmailSuppressionState {
  suppressed: boolean;
  /** While suppressed: why, since when, what caused it. */
  current?: EmailAddressSuppressedData;
  /** The last release, if any. */
  released?: EmailAddressUnsuppressedData;
}

function assertKey(addressKey: string): void {
  if (!ADDRESS_KEY.test(addressKey)) throw new DomainRuleViolation('email-suppression-key', 'an address key is an HMAC-SHA256 in 64 lower-case hex digits');
}

/**
 * Suppressing an address already suppressed records nothing (the first reason stands: a second
 * bounce adds nothing a sender needs); releasing one that is not suppressed records nothing either.
 */
export const emailSuppressionDecider: Decider<EmailSuppressionState, EmailSuppressionCommand, EmailSuppressionEvent> = {
  initialState: { suppressed: false },
  decide(command, state) {
    assertKey(command.data.addressKey);
    switch (command.type) {
      case 'SuppressAddress':
        return state.suppressed ? [] : [{ type: 'EmailAddressSuppressed', data: command.data }];
      case 'ReleaseAddress':
        if (command.data.reason.trim() === '') throw new DomainRuleViolation('email-suppression-release', 'a release states why');
        return state.suppressed ? [{ type: 'EmailAddressUnsuppressed', data: command.data }] : [];
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'EmailAddressSuppressed':
        return { ...state, suppressed: true, current: event.data };
      case 'EmailAddressUnsuppressed':
        return { suppressed: false, released: event.data };
    }
  },
};
