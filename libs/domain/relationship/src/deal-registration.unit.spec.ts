import { DeciderSpecification } from '@crm/kernel/testing';
import { TestClock } from '@crm/kernel';
import {
  dealRegistrationDecider,
  decideDealRegistration,
  evolveDealRegistration,
  type DealRegisteredData,
  type DealRegistrationEvent,
} from './deal-registration';

const given = DeciderSpecification.for(dealRegistrationDecider);
const DAY = 86_400_000;
const stateOf = (events: DealRegistrationEvent[]) => events.reduce(evolveDealRegistration, undefined);

describe('deal registration decide', () => {
  // Every instant comes from a controllable clock: no wall-clock thresholds.
  const clock = new TestClock('2026-06-01T09:00:00.000Z');
  const at = (offsetMs: number) => new Date(clock.now().getTime() + offsetMs).toISOString();
  const onCustomer: DealRegisteredData = {
    registrationId: 'r1',
    partnerId: 'p1',
    registeredBy: 'p1.key',
    customerId: 'c1',
    products: ['VAN-L2'],
    estimatedValue: 5_000_000,
    currency: 'EUR',
    expectedCloseDate: '2026-09-30',
    registeredAt: at(0),
    approvalDueAt: at(5 * DAY),
    conflicts: [],
    possibleExistingCustomerIds: [],
  };
  const registered: DealRegistrationEvent[] = [{ type: 'DealRegistered', data: onCustomer }];

  it('registers a deal on a customer or on a prospect (recorded as a lead), never both or neither', () => {
    given([]).when({ type: 'RegisterDeal', data: onCustomer }).then(registered);
    const { customerId: _c, ...withoutCustomer } = onCustomer;
    const prospect = { ...withoutCustomer, leadId: 'l1', prospect: { company: 'PT Baru', contactName: 'Dewi', contactEmail: 'dewi@baru.id' } };
    given([])
      .when({ type: 'RegisterDeal', data: prospect })
      .then([{ type: 'DealRegistered', data: prospect }]);
    given([]).when({ type: 'RegisterDeal', data: withoutCustomer }).thenBreaks('customer-or-prospect');
    given([])
      .when({ type: 'RegisterDeal', data: { ...prospect, customerId: 'c1' } })
      .thenBreaks('customer-or-prospect');
    given([])
      .when({ type: 'RegisterDeal', data: { ...prospect, leadId: undefined } })
      .thenBreaks('prospect-without-lead');
  });

  it('refuses a non-integer or negative value, a bad currency, no products, a close date in the past', () => {
    given([])
      .when({ type: 'RegisterDeal', data: { ...onCustomer, estimatedValue: 10.5 } })
      .thenBreaks('invalid-amount');
    given([])
      .when({ type: 'RegisterDeal', data: { ...onCustomer, estimatedValue: -1 } })
      .thenBreaks('invalid-amount');
    given([])
      .when({ type: 'RegisterDeal', data: { ...onCustomer, currency: 'eur' } })
      .thenBreaks('invalid-currency');
    given([])
      .when({ type: 'RegisterDeal', data: { ...onCustomer, products: [] } })
      .thenBreaks('no-products');
    given([])
      .when({ type: 'RegisterDeal', data: { ...onCustomer, expectedCloseDate: '2026-05-31' } })
      .thenBreaks('close-date-in-past');
  });

  it('absorbs a retried registration and refuses a reused id', () => {
    given(registered).when({ type: 'RegisterDeal', data: onCustomer }).thenNothingHappens();
    // retried later: the same deal, so nothing new
    given(registered)
      .when({ type: 'RegisterDeal', data: { ...onCustomer, registeredAt: at(60_000), approvalDueAt: at(5 * DAY + 60_000) } })
      .thenNothingHappens();
    given(registered)
      .when({ type: 'RegisterDeal', data: { ...onCustomer, estimatedValue: 1 } })
      .thenBreaks('registration-exists');
    given(registered)
      .when({ type: 'RegisterDeal', data: { ...onCustomer, partnerId: 'p2' } })
      .thenBreaks('registration-exists');
  });

  it('approves within the approval window, starting the protection window and naming the episode it opens', () => {
    given(registered)
      .when({ type: 'ApproveDealRegistration', data: { approvedBy: 'maria', protectionDays: 90, episodeId: 'e1' }, now: at(DAY) })
      .then([
        {
          type: 'DealRegistrationApproved',
          data: {
            registrationId: 'r1',
            partnerId: 'p1',
            customerId: 'c1',
            approvedBy: 'maria',
            approvedAt: at(DAY),
            protectionEndsAt: at(91 * DAY),
            episodeId: 'e1',
          },
        },
      ]);
    given(registered)
      .when({ type: 'ApproveDealRegistration', data: { approvedBy: 'maria', protectionDays: 90 }, now: at(5 * DAY) })
      .thenBreaks('approval-window-passed');
  });

  it("links the deal to the company's open opportunity of the same customer; an unknown, closed or other customer's one is refused", () => {
    const approve = (opportunity: { opportunityId: string; customerId?: string; open: boolean }) =>
      given(registered).when({
        type: 'ApproveDealRegistration',
        data: { approvedBy: 'maria', protectionDays: 90, episodeId: 'e1' },
        opportunity,
        now: at(DAY),
      });
    approve({ opportunityId: 'o1', customerId: 'c1', open: true }).then([
      {
        type: 'DealRegistrationApproved',
        data: {
          registrationId: 'r1',
          partnerId: 'p1',
          customerId: 'c1',
          approvedBy: 'maria',
          approvedAt: at(DAY),
          protectionEndsAt: at(91 * DAY),
          episodeId: 'e1',
          opportunityId: 'o1',
        },
      },
    ]);
    approve({ opportunityId: 'o1', open: false }).thenBreaks('unknown-opportunity');
    approve({ opportunityId: 'o1', customerId: 'c1', open: false }).thenBreaks('opportunity-closed');
    approve({ opportunityId: 'o1', customerId: 'c2', open: true }).thenBreaks('opportunity-of-another-customer');
    expect(
      evolveDealRegistration(stateOf(registered), {
        type: 'DealRegistrationApproved',
        data: { registrationId: 'r1', partnerId: 'p1', approvedBy: 'm', approvedAt: at(DAY), protectionEndsAt: at(2 * DAY), opportunityId: 'o1' },
      })?.opportunityId,
    ).toBe('o1');
  });

  it('rejects only a pending registration, with a reason', () => {
    given(registered)
      .when({ type: 'RejectDealRegistration', data: { rejectedBy: 'maria', reason: 'already ours' }, now: at(DAY) })
      .then([
        {
          type: 'DealRegistrationRejected',
          data: { registrationId: 'r1', partnerId: 'p1', customerId: 'c1', rejectedBy: 'maria', rejectedAt: at(DAY), reason: 'already ours' },
        },
      ]);
    given(registered)
      .when({ type: 'RejectDealRegistration', data: { rejectedBy: 'maria', reason: ' ' }, now: at(DAY) })
      .thenBreaks('reason-required');
    const rejected = [
      ...registered,
      ...decideDealRegistration({ type: 'RejectDealRegistration', data: { rejectedBy: 'm', reason: 'no' }, now: at(DAY) }, stateOf(registered)),
    ];
    given(rejected)
      .when({ type: 'ApproveDealRegistration', data: { approvedBy: 'maria', protectionDays: 90 }, now: at(DAY) })
      .thenBreaks('not-pending');
    given([])
      .when({ type: 'RejectDealRegistration', data: { rejectedBy: 'maria', reason: 'x' }, now: at(0) })
      .thenBreaks('unknown-registration');
  });

  it('expires a pending registration nobody reviewed in time, and an approved one when its protection ends', () => {
    given(registered)
      .when({ type: 'ExpireDealRegistration', now: at(5 * DAY - 1) })
      .thenNothingHappens();
    given(registered)
      .when({ type: 'ExpireDealRegistration', now: at(5 * DAY) })
      .then([
        { type: 'DealRegistrationExpired', data: { registrationId: 'r1', partnerId: 'p1', customerId: 'c1', expiredAt: at(5 * DAY), reason: 'not-reviewed' } },
      ]);
    const approved = [
      ...registered,
      ...decideDealRegistration({ type: 'ApproveDealRegistration', data: { approvedBy: 'm', protectionDays: 90 }, now: at(DAY) }, stateOf(registered)),
    ];
    given(approved)
      .when({ type: 'ExpireDealRegistration', now: at(91 * DAY - 1) })
      .thenNothingHappens();
    given(approved)
      .when({ type: 'ExpireDealRegistration', now: at(91 * DAY) })
      .then([
        {
          type: 'DealRegistrationExpired',
          data: { registrationId: 'r1', partnerId: 'p1', customerId: 'c1', expiredAt: at(91 * DAY), reason: 'protection-ended' },
        },
      ]);
    const expired = [
      ...approved,
      {
        type: 'DealRegistrationExpired' as const,
        data: { registrationId: 'r1', partnerId: 'p1', expiredAt: at(91 * DAY), reason: 'protection-ended' as const },
      },
    ];
    expect(stateOf(expired)?.status).toBe('expired');
    given(expired)
      .when({ type: 'ExpireDealRegistration', now: at(200 * DAY) })
      .thenNothingHappens();
  });
});
