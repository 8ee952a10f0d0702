import { DeciderSpecification } from '@crm/kernel/testing';
import type { CatalogueProduct, PriceBook } from './product-catalogue';
import {
  currentVersion,
  priceQuoteLines,
  QuoteConfigurationViolation,
  quoteApprovalPolicyDecider,
  quoteDecider,
  quoteStatus,
  type PrepareQuoteVersion,
  type QuoteCommand,
  type QuoteEvent,
  type QuoteState,
} from './quote';

const p = (sku: string, over: Partial<CatalogueProduct> = {}): CatalogueProduct => ({
  productId: sku,
  sku,
  name: `${sku} name`,
  kind: 'product',
  active: true,
  ...over,
});
const catalogue = new Map(
  [p('VAN', { options: ['RACK'] }), p('RACK', { kind: 'option' }), p('SERVICE', { rules: { requires: ['VAN'] } }), p('NOPRICE'), p('WARRANTY')].map((x) => [
    x.productId,
    x,
  ]),
);
const book: PriceBook = {
  priceBookId: 'b1',
  name: 'EUR 2026',
  currency: 'EUR',
  validFrom: '2026-01-01',
  validTo: '2026-12-31',
  prices: { VAN: 2_499_999, RACK: 333, SERVICE: 10_000 },
};
const at = '2026-03-01T09:00:00.000Z';
const context = { opportunity: { customerId: 'c1', open: true }, today: '2026-03-01' };
const policy = { discountThresholdBasisPoints: 1000 };

describe('quote totals in integer minor units', () => {
  it('prices per line from the book: list, discount and tax rounded half away from zero per line; totals are the sums of the lines', () => {
    const { lines, totals } = priceQuoteLines(
      [
        { productId: 'VAN', quantity: 3, discountBasisPoints: 750, taxRateBasisPoints: 1100 },
        { productId: 'RACK', quantity: 3, discountBasisPoints: 1250, taxRateBasisPoints: 1900 },
      ],
      catalogue,
      book,
    );
    // VAN: list 7,499,997; discount 7.5 % = 562,499.775 → 562,500; net 6,937,497; tax 11 % = 763,124.67 → 763,125
    expect(lines[0]).toMatchObject({
      lineNo: 1,
      sku: 'VAN',
      unitPrice: 2_499_999,
      listAmount: 7_499_997,
      discountAmount: 562_500,
      netAmount: 6_937_497,
      taxAmount: 763_125,
      totalAmount: 7_700_622,
    });
    // RACK: list 999; discount 12.5 % = 124.875 → 125; net 874; tax 19 % = 166.06 → 166
    expect(lines[1]).toMatchObject({ listAmount: 999, discountAmount: 125, netAmount: 874, taxAmount: 166, totalAmount: 1040 });
    expect(totals).toEqual({ listTotal: 7_500_996, discountTotal: 562_625, netTotal: 6_938_371, taxTotal: 763_291, grandTotal: 7_701_662 });
    expect(totals.grandTotal).toBe(lines.reduce((s, l) => s + l.totalAmount, 0));
  });

  it('an exact half rounds up, not to even: 2.5 → 3', () => {
    const { lines } = priceQuoteLines([{ productId: 'WARRANTY', quantity: 1, taxRateBasisPoints: 75 }], catalogue, { prices: { WARRANTY: 333 } }); // 2.4975 → 2
    expect(lines[0].taxAmount).toBe(2);
    const half = priceQuoteLines([{ productId: 'WARRANTY', quantity: 1, discountBasisPoints: 1000 }], catalogue, { prices: { WARRANTY: 25 } }); // 2.5 → 3
    expect(half.lines[0]).toMatchObject({ discountAmount: 3, netAmount: 22 });
  });

  it('explains every reason a configuration cannot be priced, configuration rules and prices together', () => {
    let error: unknown;
    try {
      priceQuoteLines(
        [
          { productId: 'SERVICE', quantity: 1, discountBasisPoints: 10_001 },
          { productId: 'NOPRICE', quantity: 1 },
          { productId: 'RACK', quantity: 1 },
        ],
        catalogue,
        book,
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QuoteConfigurationViolation);
    expect((error as QuoteConfigurationViolation).code).toBe('invalid-configuration');
    expect((error as QuoteConfigurationViolation).violations.map((v) => [v.rule, v.line])).toEqual([
      ['requires', 0],
      ['discount-range', 0],
      ['no-price', 1],
      ['option-without-base', 2],
    ]);
  });

  it('refuses amounts a JSON number cannot hold exactly', () => {
    expect(() => priceQuoteLines([{ productId: 'VAN', quantity: 1_000_000_000 }], catalogue, { prices: { VAN: 9_007_199_254_740 } })).toThrow(
      QuoteConfigurationViolation,
    );
  });
});

describe('quote decide', () => {
  const given = DeciderSpecification.for(quoteDecider);
  const stateOf = (events: QuoteEvent[]): QuoteState => events.reduce(quoteDecider.evolve, quoteDecider.initialState);
  const prepare = (over: Partial<PrepareQuoteVersion> = {}, type: 'DraftQuote' | 'ReviseQuote' = 'DraftQuote', by = 'sari') =>
    ({
      type,
      data: {
        quoteId: 'q1',
        opportunityId: 'o1',
        quoteDate: '2026-03-01',
        currency: 'EUR',
        lines: [{ productId: 'VAN', quantity: 1 }],
        preparedBy: by,
        preparedAt: at,
        ...over,
      },
      context,
      catalogue,
      priceBook: book,
      policy,
    }) as QuoteCommand;
  const run = (events: QuoteEvent[], command: QuoteCommand) => quoteDecider.decide(command, stateOf(events));
  const drafted = run([], prepare());
  const send = { type: 'SendQuote' as const, data: { quoteId: 'q1', channel: 'email' as const, interactionId: 'i1', sentBy: 'sari', sentAt: at }, context };
  const accept = { type: 'AcceptQuote' as const, data: { quoteId: 'q1', acceptedBy: 'sari', acceptedAt: at }, context };

  it('drafts version 1 on an open opportunity with the prices of the book valid on the quote date; a retried draft changes nothing', () => {
    expect(drafted).toEqual([
      {
        type: 'QuoteDrafted',
        data: expect.objectContaining({
          quoteId: 'q1',
          opportunityId: 'o1',
          customerId: 'c1',
          version: 1,
          priceBookId: 'b1',
          totals: expect.objectContaining({ grandTotal: 2_499_999 }),
        }),
      },
    ]);
    given(drafted).when(prepare()).thenNothingHappens();
    given(drafted)
      .when(prepare({ lines: [{ productId: 'VAN', quantity: 2 }] }))
      .thenBreaks('quote-exists');
    given([])
      .when(prepare({ quoteDate: '2027-01-01' }))
      .thenBreaks('price-book-not-valid');
    given([])
      .when(prepare({ currency: 'IDR' }))
      .thenBreaks('price-book-currency');
    given([])
      .when(prepare({ validUntil: '2026-02-01' }))
      .thenBreaks('valid-until-before-quote-date');
    given([])
      .when(prepare({ lines: [] }))
      .thenBreaks('quote-needs-lines');
    given([])
      .when({ ...prepare(), context: { ...context, opportunity: { customerId: 'c1', open: false } } } as QuoteCommand)
      .thenBreaks('opportunity-closed');
    given([])
      .when({ ...prepare(), context: { today: context.today } } as QuoteCommand)
      .thenBreaks('unknown-opportunity');
    given([])
      .when({ ...prepare(), priceBook: undefined } as QuoteCommand)
      .thenBreaks('no-price-book');
    given([])
      .when(prepare({ lines: [{ productId: 'RACK', quantity: 1 }] }))
      .thenBreaks('invalid-configuration');
  });

  it('a discount above the threshold requests approval in the same append; at the threshold it does not', () => {
    const at10 = run([], prepare({ lines: [{ productId: 'VAN', quantity: 1, discountBasisPoints: 1000 }] }));
    expect(at10.map((e) => e.type)).toEqual(['QuoteDrafted']);
    const above = run([], prepare({ lines: [{ productId: 'VAN', quantity: 1, discountBasisPoints: 1001 }] }));
    expect(above.map((e) => e.type)).toEqual(['QuoteDrafted', 'QuoteDiscountApprovalRequested']);
    expect(above[1].data).toMatchObject({ version: 1, maxDiscountBasisPoints: 1001, thresholdBasisPoints: 1000, requestedBy: 'sari' });
    expect(quoteStatus(stateOf(above)!)).toBe('awaiting-approval');
    // awaiting approval: cannot be sent
    given(above).when(send).thenBreaks('quote-awaiting-approval');
    // approved by another manager: it can; the one who prepared it cannot approve it
    const approve = { type: 'ApproveDiscount', data: { quoteId: 'q1', approvedBy: 'mira', approvedAt: at } } as QuoteCommand;
    given(above)
      .when({ type: 'ApproveDiscount', data: { quoteId: 'q1', approvedBy: 'sari', approvedAt: at } })
      .thenBreaks('approver-prepared-version');
    const approved = [...above, ...run(above, approve)];
    expect(quoteStatus(stateOf(approved)!)).toBe('draft');
    given(approved).when(approve).thenNothingHappens();
    expect(run(approved, send).map((e) => e.type)).toEqual(['QuoteSent']);
    // rejected: cannot be sent; a rejection needs a reason
    const reject = { type: 'RejectDiscount', data: { quoteId: 'q1', rejectedBy: 'mira', rejectedAt: at, reason: 'too deep' } } as QuoteCommand;
    given(above)
      .when({ type: 'RejectDiscount', data: { quoteId: 'q1', rejectedBy: 'mira', rejectedAt: at, reason: ' ' } })
      .thenBreaks('rejection-needs-reason');
    const rejected = [...above, ...run(above, reject)];
    expect(quoteStatus(stateOf(rejected)!)).toBe('discount-rejected');
    given(rejected).when(send).thenBreaks('discount-rejected');
    given(drafted).when(approve).thenBreaks('no-approval-pending');
  });

  it('a revision is a new version; the older ones stay as they were; only the current version is sent or accepted', () => {
    const revised = [...drafted, ...run(drafted, prepare({ lines: [{ productId: 'VAN', quantity: 2 }] }, 'ReviseQuote', 'budi'))];
    expect(revised[1]).toMatchObject({ type: 'QuoteRevised', data: { version: 2, preparedBy: 'budi' } });
    const quote = stateOf(revised)!;
    expect(quote.versions.map((v) => [v.version, v.totals.grandTotal])).toEqual([
      [1, 2_499_999],
      [2, 4_999_998],
    ]);
    expect(currentVersion(quote).version).toBe(2);
    given(revised)
      .when({ ...send, data: { ...send.data, version: 1 } } as QuoteCommand)
      .thenBreaks('version-superseded');
    given(revised)
      .when({ ...send, data: { ...send.data, version: 7 } } as QuoteCommand)
      .thenBreaks('unknown-version');
    given([]).when(prepare({}, 'ReviseQuote')).thenBreaks('unknown-quote');
  });

  it('is accepted once, after it was sent, before it expires, with the lines and totals an order needs', () => {
    given(drafted).when(accept).thenBreaks('quote-not-sent');
    const sent = [...drafted, ...run(drafted, send)];
    given(sent).when(send).thenNothingHappens();
    const accepted = run(sent, accept);
    expect(accepted).toEqual([
      {
        type: 'QuoteAccepted',
        data: expect.objectContaining({
          quoteId: 'q1',
          opportunityId: 'o1',
          customerId: 'c1',
          version: 1,
          currency: 'EUR',
          lines: (drafted[0].data as { lines: unknown[] }).lines,
        }),
      },
    ]);
    const done = [...sent, ...accepted];
    expect(quoteStatus(stateOf(done)!)).toBe('accepted');
    given(done).when(accept).thenNothingHappens();
    given(done).when(prepare({}, 'ReviseQuote')).thenBreaks('quote-accepted');
    given(done)
      .when({ ...send, data: { ...send.data } })
      .thenBreaks('quote-accepted');
    // valid until the 10th: on the 11th it can neither be sent nor accepted
    const dated = run([], prepare({ validUntil: '2026-03-10' }));
    const late = { ...context, today: '2026-03-11' };
    given(dated)
      .when({ ...send, context: late } as QuoteCommand)
      .thenBreaks('quote-expired');
    const sentDated = [...dated, ...run(dated, send)];
    given(sentDated)
      .when({ ...accept, context: late } as QuoteCommand)
      .thenBreaks('quote-expired');
    given(sentDated)
      .when({ ...accept, context: { ...context, opportunity: { customerId: 'c1', open: false } } } as QuoteCommand)
      .thenBreaks('opportunity-closed');
  });

  it('is declined by the customer once, after it was sent, with a reason; that version can no longer be accepted, a revision can', () => {
    const decline = (reason = 'went with a competitor', version?: number) =>
      ({
        type: 'DeclineQuote',
        data: { quoteId: 'q1', reason, declinedBy: 'sari', declinedAt: at, ...(version !== undefined && { version }) },
      }) as QuoteCommand;
    given(drafted).when(decline()).thenBreaks('quote-not-sent');
    const sent = [...drafted, ...run(drafted, send)];
    given(sent).when(decline(' ')).thenBreaks('decline-needs-reason');
    const declined = run(sent, decline());
    expect(declined).toEqual([
      {
        type: 'QuoteDeclined',
        data: { quoteId: 'q1', opportunityId: 'o1', customerId: 'c1', version: 1, reason: 'went with a competitor', declinedBy: 'sari', declinedAt: at },
      },
    ]);
    const done = [...sent, ...declined];
    expect(quoteStatus(stateOf(done)!)).toBe('declined');
    expect(currentVersion(stateOf(done)!).declineReason).toBe('went with a competitor');
    given(done).when(decline('another reason')).thenNothingHappens();
    given(done).when(accept).thenBreaks('quote-declined');
    const revised = [...done, ...run(done, prepare({ lines: [{ productId: 'VAN', quantity: 2 }] }, 'ReviseQuote'))];
    expect(quoteStatus(stateOf(revised)!)).toBe('draft');
    given(revised).when(decline('x', 1)).thenBreaks('version-superseded');
    const resent = [...revised, ...run(revised, send)];
    expect(run(resent, accept).map((e) => e.type)).toEqual(['QuoteAccepted']);
    given([...resent, ...run(resent, accept)])
      .when(decline())
      .thenBreaks('quote-accepted');
  });
});

describe('quote approval policy', () => {
  const given = DeciderSpecification.for(quoteApprovalPolicyDecider);
  it('holds a threshold of 0 to 10000 basis points, 10 % until one is set', () => {
    expect(quoteApprovalPolicyDecider.initialState.discountThresholdBasisPoints).toBe(1000);
    const set = { discountThresholdBasisPoints: 1500, setBy: 'mira', setAt: at };
    given([]).when({ type: 'SetQuoteApprovalPolicy', data: set }).then({ type: 'QuoteApprovalPolicySet', data: set });
    given({ type: 'QuoteApprovalPolicySet', data: set }).when({ type: 'SetQuoteApprovalPolicy', data: set }).thenNothingHappens();
    given([])
      .when({ type: 'SetQuoteApprovalPolicy', data: { ...set, discountThresholdBasisPoints: 10_001 } })
      .thenBreaks('threshold-range');
  });
});
