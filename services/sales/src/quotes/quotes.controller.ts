import { Body, Controller, Get, Headers, HttpCode, Inject, Post, Query, Res, StreamableFile } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Clock } from '@crm/kernel';
import {
  CustomerCommands,
  QuoteAcceptance,
  QuoteCommands,
  READ_MODELS,
  salesOrderFromAcceptedQuote,
  type CommandResult,
  type QuoteView,
  type ReadModelRunners,
} from '@crm/relationship-api';
import { customerFilterIds, InvalidCursorError, searchQuotes } from '@crm/relationship-read-models';
import {
  CLOCK,
  CurrentPrincipal,
  expectedRevisionFromIfMatch,
  IfMatchCommandErrors,
  HttpProblem,
  ProblemTypes,
  RequireDepartment,
  RequireKind,
  RequireRoles,
  setEtag,
  UuidParam,
  type HeaderResponse,
  type Principal,
  type StaffPrincipal,
  ApiProblem,
  badCursor,
} from '@crm/service-kit';
import { renderQuotePdf } from './quote-document';
import {
  AcceptQuoteDto,
  AcceptedQuoteDto,
  DraftQuoteDto,
  QuoteApprovalDto,
  QuoteDto,
  QuoteListDto,
  QuoteListQueryDto,
  QuoteVersionQueryDto,
  ReviseQuoteDto,
  SendQuoteDto,
  DeclineQuoteDto,
} from './quotes.dto';

const staff = (p: Principal) => p as StaffPrincipal;
/** The 404 and 412 of every change to a quote (its routes do not document the If-Match header). */
const quoteCommandErrors = () =>
  IfMatchCommandErrors({
    notFound: { problem: 'No such quote' },
    stale: { description: 'If-Match names an older revision of the quote' },
    conflict: false,
    unsupported: false,
  });
const ID = '9b2f6c1d-0e3a-4d5b-8c7f-6a1b2c3d4e5f';
const EXAMPLE_VERSION = {
  version: 1,
  currency: 'EUR',
  priceBookId: ID,
  quoteDate: '2026-03-01',
  validUntil: '2026-03-31',
  lines: [
    {
      lineNo: 1,
      productId: ID,
      sku: 'VAN-1',
      name: 'Delivery van',
      kind: 'product',
      quantity: 2,
      unitPrice: 2_500_000,
      listAmount: 5_000_000,
      discountBasisPoints: 750,
      discountAmount: 375_000,
      netAmount: 4_625_000,
      taxRateBasisPoints: 1100,
      taxAmount: 508_750,
      totalAmount: 5_133_750,
    },
  ],
  totals: { listTotal: 5_000_000, discountTotal: 375_000, netTotal: 4_625_000, taxTotal: 508_750, grandTotal: 5_133_750 },
  approval: 'not-required',
  preparedBy: 'sari',
};
const EXAMPLE = { quoteId: ID, opportunityId: ID, customerId: ID, status: 'draft', currentVersion: 1, versions: [1], version: EXAMPLE_VERSION };

/** A configuration that cannot be quoted answers 422 `invalid-configuration` with every violation (`violations`). */
async function explained<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    const violations = (error as { violations?: unknown }).violations;
    if ((error as Error).name === 'DomainRuleViolation' && Array.isArray(violations))
      throw new HttpProblem(422, (error as Error).message, {
        type: ProblemTypes.domainRuleViolation,
        extensions: { code: 'invalid-configuration', violations },
      });
    throw error;
  }
}

/** One version of the quote (default the current one), with where the quote stands. */
function viewOf(quote: QuoteView, version?: number): object {
  const v = quote.versions[(version ?? quote.currentVersion) - 1];
  if (!v)
    throw new HttpProblem(404, `quote ${quote.quoteId} has no version ${version}`, { type: ProblemTypes.notFound, extensions: { code: 'unknown-version' } });
  return {
    quoteId: quote.quoteId,
    opportunityId: quote.opportunityId,
    customerId: quote.customerId,
    status: quote.status,
    currentVersion: quote.currentVersion,
    versions: quote.versions.map((x) => x.version),
    ...(quote.accepted && { accepted: quote.accepted }),
    version: v,
  };
}

/**
 * Quotes (proposals) on an opportunity: configured lines priced from the price book valid on the
 * quote date, discounts and taxes, totals in integer minor units. Versions: a revision is a new
 * version and the older ones stay readable (`?version=`). A discount above the approval threshold
 * waits for a manager; sending records an interaction on the opportunity; accepting records
 * `QuoteAccepted` and answers the sales order it makes.
 */
@ApiTags('quotes')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('sales', 'management')
@ApiUnauthorizedResponse({ description: 'No or a bad bearer token' })
@ApiForbiddenResponse({ description: 'Not staff of sales or management (discount approval: not a manager or admin)' })
@Controller('quotes')
export class QuotesController {
  constructor(
    private readonly quotes: QuoteCommands,
    private readonly acceptance: QuoteAcceptance,
    private readonly customers: CustomerCommands,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Draft a quote on an opportunity (version 1)' })
  @ApiCreatedResponse({
    type: QuoteDto,
    description: 'Drafted (status awaiting-approval when a discount is above the threshold); Location; ETag',
    example: EXAMPLE,
  })
  @ApiProblem(
    422,
    'A rule was broken: `code` names it (invalid-configuration with every `violations` entry, unknown-opportunity, opportunity-closed, no-price-book, price-book-not-valid, quote-exists, …)',
    {
      code: 'invalid-configuration',
      violations: [{ rule: 'requires', line: 0, productId: ID, otherProductId: ID, message: 'WAR-3 requires VAN-1, which is not on the quote' }],
    },
  )
  async draft(
    @CurrentPrincipal() p: Principal,
    @Body() dto: DraftQuoteDto,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<object> {
    const r = await explained(this.quotes.draft(staff(p), dto, { correlationId }));
    res.setHeader('Location', `/quotes/${r.id}`);
    return this.answer(r, res);
  }

  @Get()
  @ApiOperation({ summary: 'The quotes of an opportunity or a customer, newest first, paged by cursor' })
  @ApiOkResponse({
    type: QuoteListDto,
    description: 'One page; `nextCursor` for the next',
    example: {
      items: [
        {
          quoteId: ID,
          opportunityId: ID,
          customerId: ID,
          version: 1,
          status: 'sent',
          currency: 'EUR',
          netTotal: 4_625_000,
          grandTotal: 5_133_750,
          quoteDate: '2026-03-01',
          validUntil: '2026-03-31',
          preparedBy: 'sari',
          draftedAt: '2026-03-01T09:00:00.000Z',
          updatedAt: '2026-03-02T09:00:00.000Z',
        },
      ],
    },
  })
  async list(@Query() q: QuoteListQueryDto): Promise<object> {
    try {
      const manager = this.readModels.dataSource.manager;
      return await searchQuotes(manager, {
        opportunityId: q.opportunityId,
        // A customer's quotes include those of the customers merged into it.
        customerIds: await customerFilterIds(manager, q.customerId),
        statuses: q.status?.split(','),
        limit: q.limit ?? 50,
        cursor: q.cursor,
      });
    } catch (error) {
      if (error instanceof InvalidCursorError) throw badCursor(error.message);
      throw error;
    }
  }

  @Get(':id')
  @ApiOperation({ summary: 'A quote: the current version, or an older one as it was (`?version=`)' })
  @ApiOkResponse({ type: QuoteDto, description: 'The quote and the version asked for; ETag for If-Match', example: EXAMPLE })
  @ApiProblem(404, 'No such quote, or no such version', { code: 'unknown-version' })
  async get(@UuidParam('id') id: string, @Query() q: QuoteVersionQueryDto, @Res({ passthrough: true }) res: HeaderResponse): Promise<object> {
    const quote = await this.quotes.get(id);
    setEtag(res, BigInt(quote.revision));
    return viewOf(quote, q.version);
  }

  @Post(':id/versions')
  @HttpCode(201)
  @ApiOperation({ summary: 'Revise a quote: a new version (the older ones stay readable)' })
  @ApiCreatedResponse({ type: QuoteDto, description: 'The new version; ETag', example: { ...EXAMPLE, currentVersion: 2, versions: [1, 2] } })
  @quoteCommandErrors()
  @ApiProblem(422, 'A rule was broken: `code` names it (invalid-configuration with `violations`, quote-accepted, opportunity-closed, …)', {
    code: 'quote-accepted',
  })
  async revise(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: ReviseQuoteDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<object> {
    const r = await explained(this.quotes.revise(staff(p), id, dto, { expectedRevision: expectedRevisionFromIfMatch(ifMatch) }));
    res.setHeader('Location', `/quotes/${id}?version=${r.version}`);
    return this.answer(r, res);
  }

  @Post(':id/approval')
  @HttpCode(200)
  @RequireRoles('manager', 'admin')
  @ApiOperation({ summary: "A manager approves or rejects the current version's discount (not the one who prepared it)" })
  @ApiOkResponse({ type: QuoteDto, description: 'Judged; ETag', example: { ...EXAMPLE, version: { ...EXAMPLE_VERSION, approval: 'approved' } } })
  @quoteCommandErrors()
  @ApiProblem(422, 'A rule was broken: `code` names it (no-approval-pending, approver-prepared-version, rejection-needs-reason, version-superseded)', {
    code: 'no-approval-pending',
  })
  async approval(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: QuoteApprovalDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<object> {
    const options = { expectedRevision: expectedRevisionFromIfMatch(ifMatch) };
    const r =
      dto.decision === 'approved'
        ? await this.quotes.approveDiscount(staff(p), id, { version: dto.version, ...(dto.reason !== undefined && { note: dto.reason }) }, options)
        : await this.quotes.rejectDiscount(staff(p), id, { version: dto.version, reason: dto.reason ?? '' }, options);
    return this.answer(r, res);
  }

  @Post(':id/send')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send the current version to the customer: records an interaction on the opportunity' })
  @ApiOkResponse({
    description: 'Sent (a retry records nothing new); the interaction recorded on the opportunity',
    schema: { type: 'object', properties: { quoteId: { type: 'string' }, version: { type: 'integer' }, interactionId: { type: 'string' } } },
    example: { quoteId: ID, version: 1, interactionId: ID },
  })
  @quoteCommandErrors()
  @ApiProblem(422, 'A rule was broken: `code` names it (quote-awaiting-approval, discount-rejected, quote-expired, opportunity-closed, quote-accepted)', {
    code: 'quote-awaiting-approval',
  })
  async send(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: SendQuoteDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ quoteId: string; version: number; interactionId: string }> {
    const r = await this.quotes.send(staff(p), id, dto, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    setEtag(res, r.revision);
    return { quoteId: id, version: r.version, interactionId: r.interactionId };
  }

  @Post(':id/accept')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'The customer accepted the sent version: records QuoteAccepted and places its sales order (OrderPlaced; the opportunity closes won). ' +
      'A retry of an acceptance answers the same and places the order if a crash had left it missing.',
  })
  @ApiOkResponse({
    type: AcceptedQuoteDto,
    description: 'Accepted (a retry answers the same)',
    example: {
      ...EXAMPLE_VERSION,
      quoteId: ID,
      opportunityId: ID,
      customerId: ID,
      acceptedAt: '2026-03-05T10:00:00.000Z',
      salesOrder: { customerId: ID, quoteId: ID },
    },
  })
  @quoteCommandErrors()
  @ApiProblem(422, 'A rule was broken: `code` names it (quote-not-sent, quote-expired, version-superseded, quote-accepted, opportunity-closed)', {
    code: 'quote-not-sent',
  })
  async accept(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: AcceptQuoteDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<object> {
    const r = await this.acceptance.accept(staff(p), id, dto, { expectedRevision: expectedRevisionFromIfMatch(ifMatch) });
    const { revision, ...accepted } = r.accepted;
    setEtag(res, revision);
    return {
      ...accepted,
      salesOrder: salesOrderFromAcceptedQuote(r.accepted),
      order: {
        orderId: r.order.id,
        total: r.order.order.total,
        currency: r.order.order.currency,
        ...(r.order.closedOpportunity && { closedOpportunity: r.order.closedOpportunity }),
      },
    };
  }

  @Post(':id/decline')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'The customer declined the sent version, and why: records QuoteDeclined (status declined). The opportunity stays open: revise the quote and send it again, or close the opportunity lost.',
  })
  @ApiOkResponse({
    description: 'Declined (a retry records nothing new and keeps the first reason)',
    schema: { type: 'object', properties: { quoteId: { type: 'string' }, version: { type: 'integer' }, status: { type: 'string', enum: ['declined'] } } },
    example: { quoteId: ID, version: 1, status: 'declined' },
  })
  @ApiProblem(400, 'Bad body: errors name the field (reason, version)', { errors: [{ field: 'reason', message: 'reason should not be empty' }] })
  @quoteCommandErrors()
  @ApiProblem(415, 'A body that is not JSON')
  @ApiProblem(422, 'A rule was broken: `code` names it (quote-not-sent, version-superseded, unknown-version, quote-accepted, decline-needs-reason)', {
    code: 'quote-not-sent',
  })
  async decline(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: DeclineQuoteDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ quoteId: string; version: number; status: string }> {
    const r = await this.quotes.decline(staff(p), id, dto, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    setEtag(res, r.revision);
    return { quoteId: id, version: r.version, status: r.status };
  }

  @Get(':id/document')
  @ApiOperation({ summary: 'The quote as a PDF (the current version, or `?version=`)' })
  @ApiProduces('application/pdf')
  @ApiOkResponse({
    description: 'application/pdf: lines, discounts, taxes and totals',
    content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiProblem(404, 'No such quote, or no such version')
  async document(@UuidParam('id') id: string, @Query() q: QuoteVersionQueryDto, @Res({ passthrough: true }) res: HeaderResponse): Promise<StreamableFile> {
    const quote = await this.quotes.get(id);
    const version = quote.versions[(q.version ?? quote.currentVersion) - 1];
    if (!version)
      throw new HttpProblem(404, `quote ${id} has no version ${q.version}`, { type: ProblemTypes.notFound, extensions: { code: 'unknown-version' } });
    const customerName = await this.customers.get(quote.customerId).then(
      (c) => c?.name,
      () => undefined,
    );
    const pdf = await renderQuotePdf({ ...quote, customerName, version, printedAt: this.clock.now() });
    setEtag(res, BigInt(quote.revision));
    return new StreamableFile(pdf, { type: 'application/pdf', disposition: `inline; filename="quote-${id}-v${version.version}.pdf"`, length: pdf.length });
  }

  private async answer(r: CommandResult, res: HeaderResponse): Promise<object> {
    const quote = await this.quotes.get(r.id);
    setEtag(res, BigInt(quote.revision));
    return viewOf(quote);
  }
}
