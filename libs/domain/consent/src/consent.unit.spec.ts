import { DeciderSpecification } from '@crm/kernel/testing';
import {
  consentAsOf,
  consentDecider,
  evolveConsent,
  mayContact,
  noConsent,
  type ConsentCommand,
  type ConsentEvent,
  type ConsentGrantedData,
  type ConsentRequestedData,
  type ConsentWithdrawnData,
} from './consent';

const given = DeciderSpecification.for(consentDecider);
const stateOf = (events: ConsentEvent[]) => events.reduce(evolveConsent, noConsent);
const t0 = '2026-05-01T10:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(t0) + minutes * 60_000).toISOString();
const customerId = 'c1';

const granted = (extra: Partial<ConsentGrantedData> = {}): ConsentGrantedData => ({
  customerId,
  channel: 'email',
  purpose: 'newsletter',
  source: 'form',
  evidence: { textVersion: 'newsletter-2026-03', formId: 'footer-signup', recordedBy: 'web' },
  grantedAt: at(0),
  ...extra,
});
const withdrawn = (extra: Partial<ConsentWithdrawnData> = {}): ConsentWithdrawnData => ({
  customerId,
  channel: 'email',
  purpose: 'newsletter',
  source: 'one-click-unsubscribe',
  evidence: { campaignId: 'spring', messageId: '<m1@crm.example>', recordedBy: 'unsubscribe' },
  withdrawnAt: at(10),
  ...extra,
});
const requested = (extra: Partial<ConsentRequestedData> = {}): ConsentRequestedData => ({
  customerId,
  requestId: 'r1',
  channel: 'email',
  purpose: 'offers',
  source: 'form',
  evidence: { textVersion: 'offers-2026-01', recordedBy: 'web' },
  requestedAt: at(0),
  expiresAt: at(60 * 24 * 7),
  ...extra,
});
const grant = (d: Partial<ConsentGrantedData> = {}): ConsentCommand => ({ type: 'GrantConsent', data: granted(d) });
const withdraw = (d: Partial<ConsentWithdrawnData> = {}): ConsentCommand => ({ type: 'WithdrawConsent', data: withdrawn(d) });
const confirm = (confirmedAt = at(30), requestId = 'r1'): ConsentCommand => ({
  type: 'ConfirmConsent',
  data: { customerId, requestId, confirmedAt, ipAddress: '203.0.113.7', userAgent: 'Mail client' },
});

describe('consent decider', () => {
  describe('granting', () => {
    it('records a grant with its source and evidence', () => {
      given([]).when(grant()).then({ type: 'ConsentGranted', data: granted() });
    });
    it('granting what is granted records nothing', () => {
      given([{ type: 'ConsentGranted', data: granted() }])
        .when(grant({ grantedAt: at(5) }))
        .thenNothingHappens();
    });
    it('a form or the preference centre must name the text shown', () => {
      given([])
        .when(grant({ evidence: { recordedBy: 'web' } }))
        .thenBreaks('consent-evidence');
      given([])
        .when(grant({ source: 'preference-centre', evidence: { recordedBy: 'preference-centre', textVersion: ' ' } }))
        .thenBreaks('consent-evidence');
    });
    it('staff and imports must say what the customer said or where it came from', () => {
      given([])
        .when(grant({ source: 'staff', evidence: { recordedBy: 'budi' } }))
        .thenBreaks('consent-evidence');
      given([])
        .when(grant({ source: 'staff', evidence: { recordedBy: 'budi', note: 'asked for offers by SMS on the phone' } }))
        .then({ type: 'ConsentGranted', data: granted({ source: 'staff', evidence: { recordedBy: 'budi', note: 'asked for offers by SMS on the phone' } }) });
      given([])
        .when(grant({ source: 'import', evidence: { recordedBy: 'import-job', note: '' } }))
        .thenBreaks('consent-evidence');
    });
    it('who recorded it is always said', () => {
      given([])
        .when(grant({ evidence: { textVersion: 'v1', recordedBy: '' } }))
        .thenBreaks('consent-evidence');
    });
    it('double opt-in is granted only by confirming a request', () => {
      given([])
        .when(grant({ source: 'double-opt-in' }))
        .thenBreaks('confirm-through-request');
    });
    it('a purpose is a slug', () => {
      given([])
        .when(grant({ purpose: 'News Letter' }))
        .thenBreaks('consent-purpose');
    });
    it('a statement older than the latest on the same permission is refused (the stream stays in time order)', () => {
      given([
        { type: 'ConsentGranted', data: granted() },
        { type: 'ConsentWithdrawn', data: withdrawn() },
      ])
        .when(grant({ grantedAt: at(5) }))
        .thenBreaks('consent-out-of-order');
    });
    it('another purpose has its own order', () => {
      given([{ type: 'ConsentWithdrawn', data: withdrawn({ purpose: 'offers' }) }])
        .when(grant({ grantedAt: at(5) }))
        .then({ type: 'ConsentGranted', data: granted({ grantedAt: at(5) }) });
    });
  });

  describe('withdrawing', () => {
    it('withdraws a granted purpose', () => {
      given([{ type: 'ConsentGranted', data: granted() }])
        .when(withdraw())
        .then({ type: 'ConsentWithdrawn', data: withdrawn() });
    });
    it('an opt-out of a purpose never granted is recorded (a "do not contact" of its own)', () => {
      given([]).when(withdraw()).then({ type: 'ConsentWithdrawn', data: withdrawn() });
    });
    it('withdrawing what is withdrawn records nothing (the unsubscribe link clicked twice)', () => {
      given([{ type: 'ConsentWithdrawn', data: withdrawn() }])
        .when(withdraw({ withdrawnAt: at(20) }))
        .thenNothingHappens();
    });
    it('a withdrawal dated before the grant is refused', () => {
      given([{ type: 'ConsentGranted', data: granted({ grantedAt: at(30) }) }])
        .when(withdraw({ withdrawnAt: at(10) }))
        .thenBreaks('consent-out-of-order');
    });
    it('a whole-channel opt-out withdraws every purpose granted on it, and only on that channel', () => {
      const events: ConsentEvent[] = [
        { type: 'ConsentGranted', data: granted() },
        { type: 'ConsentGranted', data: granted({ purpose: 'offers' }) },
        { type: 'ConsentGranted', data: granted({ channel: 'sms', purpose: 'offers' }) },
      ];
      given(events)
        .when(withdraw({ purpose: undefined }))
        .then({ type: 'ConsentWithdrawn', data: withdrawn({ purpose: undefined }) });
      const state = stateOf([...events, { type: 'ConsentWithdrawn', data: withdrawn({ purpose: undefined }) }]);
      expect(mayContact(state, 'email', 'newsletter')).toMatchObject({ allowed: false, reason: 'channel-opted-out' });
      expect(mayContact(state, 'email', 'offers')).toMatchObject({ allowed: false, reason: 'channel-opted-out' });
      expect(mayContact(state, 'email', 'surveys')).toMatchObject({ allowed: false, reason: 'channel-opted-out' });
      expect(mayContact(state, 'sms', 'offers')).toMatchObject({ allowed: true });
    });
    it('opting out of a channel already opted out, with nothing granted since, records nothing', () => {
      given([{ type: 'ConsentWithdrawn', data: withdrawn({ purpose: undefined }) }])
        .when(withdraw({ purpose: undefined, withdrawnAt: at(20) }))
        .thenNothingHappens();
      given([{ type: 'ConsentWithdrawn', data: withdrawn({ purpose: undefined }) }])
        .when(withdraw({ purpose: 'offers', withdrawnAt: at(20) }))
        .thenNothingHappens();
    });
    it('after a channel opt-out a purpose can be granted again with new evidence, and only that purpose holds', () => {
      const events: ConsentEvent[] = [
        { type: 'ConsentGranted', data: granted() },
        { type: 'ConsentGranted', data: granted({ purpose: 'offers' }) },
        { type: 'ConsentWithdrawn', data: withdrawn({ purpose: undefined }) },
      ];
      given(events)
        .when(grant({ grantedAt: at(5) }))
        .thenBreaks('consent-out-of-order'); // dated before the opt-out
      const again = granted({
        grantedAt: at(40),
        source: 'preference-centre',
        evidence: { textVersion: 'newsletter-2026-03', recordedBy: 'preference-centre' },
      });
      given(events).when({ type: 'GrantConsent', data: again }).then({ type: 'ConsentGranted', data: again });
      const state = stateOf([...events, { type: 'ConsentGranted', data: again }]);
      expect(mayContact(state, 'email', 'newsletter')).toMatchObject({ allowed: true, basis: { revision: 3, source: 'preference-centre' } });
      expect(mayContact(state, 'email', 'offers')).toMatchObject({ allowed: false, reason: 'channel-opted-out' });
    });
  });

  describe('double opt-in', () => {
    it('a request waits for its confirmation; confirming grants with the request, both times and the network details as evidence', () => {
      given([]).when({ type: 'RequestConsent', data: requested() }).then({ type: 'ConsentRequested', data: requested() });
      expect(mayContact(stateOf([{ type: 'ConsentRequested', data: requested() }]), 'email', 'offers')).toMatchObject({
        allowed: false,
        reason: 'awaiting-confirmation',
      });
      given([{ type: 'ConsentRequested', data: requested() }])
        .when(confirm())
        .then({
          type: 'ConsentGranted',
          data: {
            customerId,
            channel: 'email',
            purpose: 'offers',
            source: 'double-opt-in',
            evidence: {
              textVersion: 'offers-2026-01',
              requestId: 'r1',
              requestedAt: at(0),
              confirmedAt: at(30),
              ipAddress: '203.0.113.7',
              userAgent: 'Mail client',
              recordedBy: 'double-opt-in',
            },
            grantedAt: at(30),
          },
        });
    });
    it('the link clicked again records nothing', () => {
      const events: ConsentEvent[] = [{ type: 'ConsentRequested', data: requested() }];
      const [grantedEvent] = consentDecider.decide(confirm(), stateOf(events));
      given([...events, grantedEvent])
        .when(confirm(at(45)))
        .thenNothingHappens();
    });
    it('an expired link is refused; an unknown request or another customer’s is not found', () => {
      given([{ type: 'ConsentRequested', data: requested() }])
        .when(confirm(at(60 * 24 * 8)))
        .thenBreaks('consent-request-expired');
      expect(() => consentDecider.decide(confirm(at(30), 'nope'), stateOf([{ type: 'ConsentRequested', data: requested() }]))).toThrow('not found');
      expect(() =>
        consentDecider.decide(
          { type: 'ConfirmConsent', data: { customerId: 'c2', requestId: 'r1', confirmedAt: at(30) } },
          stateOf([{ type: 'ConsentRequested', data: requested() }]),
        ),
      ).toThrow('not found');
    });
    it('an expired request no longer counts as awaiting confirmation', () => {
      const state = stateOf([{ type: 'ConsentRequested', data: requested() }]);
      expect(mayContact(state, 'email', 'offers', at(60 * 24 * 8))).toMatchObject({ allowed: false, reason: 'no-consent' });
    });
    it('a link lives from its sending for at most 30 days; a request comes from a form or the preference centre', () => {
      given([])
        .when({ type: 'RequestConsent', data: requested({ expiresAt: at(0) }) })
        .thenBreaks('consent-request-expiry');
      given([])
        .when({ type: 'RequestConsent', data: requested({ expiresAt: at(60 * 24 * 31) }) })
        .thenBreaks('consent-request-expiry');
      given([])
        .when({ type: 'RequestConsent', data: requested({ source: 'import', evidence: { recordedBy: 'x', note: 'y' } }) })
        .thenBreaks('consent-request-source');
    });
    it('the same request again records nothing; its id for another permission is refused; a granted permission needs no request', () => {
      given([{ type: 'ConsentRequested', data: requested() }])
        .when({ type: 'RequestConsent', data: requested() })
        .thenNothingHappens();
      given([{ type: 'ConsentRequested', data: requested() }])
        .when({ type: 'RequestConsent', data: requested({ purpose: 'surveys' }) })
        .thenBreaks('consent-request-taken');
      given([{ type: 'ConsentGranted', data: granted({ purpose: 'offers' }) }])
        .when({ type: 'RequestConsent', data: requested({ requestId: 'r2' }) })
        .thenNothingHappens();
    });
  });

  describe('what held at an instant', () => {
    const history: ConsentEvent[] = [
      { type: 'ConsentGranted', data: granted() },
      { type: 'ConsentWithdrawn', data: withdrawn() },
      {
        type: 'ConsentGranted',
        data: granted({ grantedAt: at(60), source: 'preference-centre', evidence: { textVersion: 'v2', recordedBy: 'preference-centre' } }),
      },
    ];
    it('folds the statements dated up to the instant, keeping the stream revisions', () => {
      expect(mayContact(consentAsOf(history, at(-1)), 'email', 'newsletter')).toMatchObject({ allowed: false, reason: 'no-consent' });
      expect(mayContact(consentAsOf(history, at(0)), 'email', 'newsletter')).toMatchObject({ allowed: true, basis: { revision: 0, source: 'form' } });
      expect(mayContact(consentAsOf(history, at(9)), 'email', 'newsletter')).toMatchObject({ allowed: true, basis: { revision: 0 } });
      expect(mayContact(consentAsOf(history, at(10)), 'email', 'newsletter')).toMatchObject({ allowed: false, reason: 'withdrawn', basis: { revision: 1 } });
      expect(mayContact(consentAsOf(history, at(61)), 'email', 'newsletter')).toMatchObject({ allowed: true, basis: { revision: 2, since: at(60) } });
    });
    it('a send is allowed only on a grant in force: no consent, no message', () => {
      expect(mayContact(noConsent, 'sms', 'offers')).toEqual({ allowed: false, reason: 'no-consent' });
    });
  });
});
