import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Clock } from '@crm/kernel';
import { offerOf, type Lead, type LeadOffer } from '@crm/relationship';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { InvalidCursorError } from '@crm/relationship-read-models';
import { ApiProblem, badCursor, CLOCK, CurrentPrincipal, ProblemTypes, RequireDepartment, RequireKind, RequireRoles, type Principal } from '@crm/service-kit';
import { asPartner, asStaff } from '../auth/principals';
import { PartnerScope } from '../portal/partner-scope';
import { LeadDistributionCommands } from './lead-distribution-commands';
import {
  DeclineLeadDto,
  DistributionStartedDto,
  EXAMPLE_LEAD,
  EXAMPLE_OFFER,
  EXAMPLE_PARTNER,
  LeadIdParam,
  LeadOfferAnsweredDto,
  LeadOfferListQueryDto,
  LeadOutcomeDto,
  LeadOutcomeReportedDto,
  PartnerLeadDto,
  PartnerLeadOfferDto,
  PartnerLeadOfferPageDto,
  StaffLeadOfferListQueryDto,
  StaffLeadOfferPageDto,
  StartDistributionDto,
} from './lead-distribution.dto';
import { listLeadOffers, type LeadOfferListItem } from './lead-offers.projection';

const OFFER_EXAMPLE = {
  leadId: EXAMPLE_LEAD,
  offerId: EXAMPLE_OFFER,
  status: 'offered',
  outcome: null,
  offeredAt: '2026-06-01T09:00:00.000Z',
  expiresAt: '2026-06-03T09:00:00.000Z',
};
const STAFF_OFFER_EXAMPLE = {
  ...OFFER_EXAMPLE,
  partnerId: EXAMPLE_PARTNER,
  attempt: 1,
  score: 71.5,
  reasons: ['territory ID', '+30 gold tier', '+20 sells VAN-L2', '+10 acceptance rate 0.5 (0/0)', '+15 win rate 0.5 (0/0)', '5 of 5 free'],
};
const unauthorised = () => ApiProblem(401, 'Unauthorized: no token, or a bad, expired or revoked one', { type: ProblemTypes.unauthorized });
const notFound = () =>
  ApiProblem(404, 'Not Found: no lead offered to you or accepted by you under this id (as for one that does not exist)', {
    detail: `lead ${EXAMPLE_LEAD} not found`,
  });
const badBody = (field: string, message: string) =>
  ApiProblem(400, 'Bad Request: errors name each bad field', { detail: message, errors: [{ field, message }] });
const unsupported = () => ApiProblem(415, 'Unsupported Media Type: send application/json', { type: ProblemTypes.validation });

function page<T>(run: () => Promise<T>): Promise<T> {
  return run().catch((error: unknown) => {
    throw error instanceof InvalidCursorError ? badCursor(error.message) : error;
  });
}

/** An offer as its partner sees it: never the score and reasons that compare it with other partners. */
function partnerOffer(o: LeadOfferListItem | LeadOffer, leadId: string, now: Date): PartnerLeadOfferDto {
  // An offer past its deadline reads as expired at once, even before the tick records it.
  const overdue = o.status === 'offered' && Date.parse(o.expiresAt) <= now.getTime();
  return {
    leadId,
    offerId: o.offerId,
    status: overdue ? 'expired' : o.status,
    outcome: o.outcome ?? null,
    offeredAt: o.offeredAt,
    expiresAt: o.expiresAt,
  };
}

/**
 * Lead distribution for the company's channel managers (issue 14 §4): start a lead's distribution
 * (offered to the best-ranked partner, re-routed on a decline or an expiry until none is left) and
 * list every offer. Who may: as partner administration (`PartnersController`) — channel managers
 * and administrators of management or sales; a plain sales agent may not (it hands a lead to
 * another company).
 */
@ApiTags('lead-distribution')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('management', 'sales')
@RequireRoles('channel-manager', 'admin')
@unauthorised()
@ApiProblem(403, 'Forbidden: for staff of management or sales with role channel-manager or admin', { type: ProblemTypes.forbidden })
@Controller()
export class LeadDistributionController {
  constructor(
    private readonly distribution: LeadDistributionCommands,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
  ) {}

  @Post('leads/:id/distribution')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Offer the lead to the best-ranked partner (territory, products, kind, tier, free capacity, past acceptance and win rates); a decline or an expiry re-routes it. Started again while an offer is open or accepted: nothing new',
  })
  @ApiOkResponse({
    type: DistributionStartedDto,
    example: { leadId: EXAMPLE_LEAD, status: 'offered', partnerId: EXAMPLE_PARTNER, offerId: EXAMPLE_OFFER, expiresAt: '2026-06-03T09:00:00.000Z' },
  })
  @badBody('products', 'each value in products must be a string')
  @ApiProblem(404, 'Not Found: no such lead', { detail: `lead ${EXAMPLE_LEAD} not found` })
  @unsupported()
  @ApiProblem(422, 'Unprocessable: the lead is converted, disqualified or erased', { code: 'lead-closed', detail: `lead ${EXAMPLE_LEAD} is converted` })
  async start(@CurrentPrincipal() p: Principal, @Param() { id }: LeadIdParam, @Body() dto: StartDistributionDto): Promise<DistributionStartedDto> {
    const { lead } = await this.distribution.start(asStaff(p), id, dto.products ?? []);
    return distributionOf(lead);
  }

  @Get('lead-distribution')
  @ApiOperation({ summary: 'Every offer of every lead (open first, then newest first), with the score and reasons of its routing; paged' })
  @ApiOkResponse({ type: StaffLeadOfferPageDto, example: { items: [STAFF_OFFER_EXAMPLE] } })
  @badBody('status', 'status must be one of the following values: offered, accepted, declined, expired')
  async list(@Query() q: StaffLeadOfferListQueryDto): Promise<StaffLeadOfferPageDto> {
    return page(() =>
      listLeadOffers(this.readModels.dataSource.manager, {
        status: q.status,
        partnerId: q.partnerId,
        outcome: q.outcome,
        limit: q.limit ?? 50,
        cursor: q.cursor,
      }),
    );
  }
}

function distributionOf(lead: Lead): DistributionStartedDto {
  const dist = lead.distribution;
  const current = dist?.offers.find((o) => o.status === 'offered' || o.status === 'accepted');
  return {
    leadId: lead.leadId,
    status: dist?.status ?? 'exhausted',
    ...(current && dist?.status !== 'exhausted' && { partnerId: current.partnerId, offerId: current.offerId, expiresAt: current.expiresAt }),
  };
}

/**
 * The leads offered to a partner (issue 14 §4): its inbox, one lead's company and contact while it
 * is offered to the partner or accepted by it, accept, decline with a reason, and the outcome once
 * accepted. Any other lead — unknown, another partner's, offered to it once but declined or expired —
 * answers 404, the same answer, so a partner learns nothing of leads that are not its own.
 */
@ApiTags('leads')
@ApiBearerAuth()
@RequireKind('partner')
@unauthorised()
@ApiProblem(403, 'Forbidden: for partners (staff distribute leads under /leads/{id}/distribution)', { type: ProblemTypes.forbidden })
@Controller('leads')
export class PartnerLeadsController {
  constructor(
    private readonly distribution: LeadDistributionCommands,
    private readonly scope: PartnerScope,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Leads offered to you: open offers first (answer them by expiresAt), then newest first; paged' })
  @ApiOkResponse({ type: PartnerLeadOfferPageDto, example: { items: [OFFER_EXAMPLE] } })
  @badBody('cursor', 'cursor must be the nextCursor of a previous page')
  async inbox(@CurrentPrincipal() p: Principal, @Query() q: LeadOfferListQueryDto): Promise<PartnerLeadOfferPageDto> {
    const partner = asPartner(p);
    await this.scope.partnerOf(partner); // 401 for a revoked credential
    const r = await page(() =>
      listLeadOffers(this.readModels.dataSource.manager, { partnerId: partner.partnerId, status: q.status, limit: q.limit ?? 50, cursor: q.cursor }),
    );
    const now = this.clock.now();
    return { ...r, items: r.items.map((o) => partnerOffer(o, o.leadId, now)) };
  }

  @Get(':id')
  @ApiOperation({ summary: "The lead's company and contact, while it is offered to you (until expiresAt) or accepted by you" })
  @ApiOkResponse({
    type: PartnerLeadDto,
    example: {
      leadId: EXAMPLE_LEAD,
      name: 'Dewi Lestari',
      company: 'PT Baru Sejahtera',
      email: 'dewi@baru.co.id',
      country: 'ID',
      region: 'java-west',
      products: ['VAN-L2'],
      offer: OFFER_EXAMPLE,
    },
  })
  @notFound()
  async get(@CurrentPrincipal() p: Principal, @Param() { id }: LeadIdParam): Promise<PartnerLeadDto> {
    const partner = asPartner(p);
    const lead = await this.distribution.getForPartner(partner, id);
    const offer = offerOf(lead, partner.partnerId)!;
    return {
      leadId: lead.leadId,
      name: lead.name,
      ...(lead.company !== undefined && { company: lead.company }),
      ...(lead.email !== undefined && { email: lead.email }),
      ...(lead.phone !== undefined && { phone: lead.phone }),
      ...(lead.country !== undefined && { country: lead.country }),
      ...(lead.region !== undefined && { region: lead.region }),
      products: lead.distribution?.products ?? [],
      offer: partnerOffer(offer, lead.leadId, this.clock.now()),
    };
  }

  @Post(':id/accept')
  @HttpCode(200)
  @ApiOperation({ summary: 'Accept the lead offered to you: it is assigned to you in its history (accepting again changes nothing)' })
  @ApiOkResponse({ type: LeadOfferAnsweredDto, example: { leadId: EXAMPLE_LEAD, status: 'accepted' } })
  @notFound()
  @ApiProblem(422, 'Unprocessable: the lead was closed meanwhile', { code: 'lead-closed', detail: `lead ${EXAMPLE_LEAD} is converted` })
  async accept(@CurrentPrincipal() p: Principal, @Param() { id }: LeadIdParam): Promise<LeadOfferAnsweredDto> {
    await this.distribution.accept(asPartner(p), id);
    return { leadId: id, status: 'accepted' };
  }

  @Post(':id/decline')
  @HttpCode(200)
  @ApiOperation({ summary: 'Decline the lead offered to you, saying why: it goes to the next partner' })
  @ApiOkResponse({ type: LeadOfferAnsweredDto, example: { leadId: EXAMPLE_LEAD, status: 'declined' } })
  @badBody('reason', 'reason should not be empty')
  @notFound()
  @unsupported()
  @ApiProblem(422, 'Unprocessable: you accepted it already (report its outcome instead)', { code: 'lead-offer-accepted' })
  async decline(@CurrentPrincipal() p: Principal, @Param() { id }: LeadIdParam, @Body() dto: DeclineLeadDto): Promise<LeadOfferAnsweredDto> {
    await this.distribution.decline(asPartner(p), id, dto.reason);
    return { leadId: id, status: 'declined' };
  }

  @Post(':id/outcome')
  @HttpCode(200)
  @ApiOperation({ summary: 'How the lead you accepted ended (won or lost): recorded in the lead’s history, and counted in your win rate' })
  @ApiOkResponse({ type: LeadOutcomeReportedDto, example: { leadId: EXAMPLE_LEAD, outcome: 'won' } })
  @badBody('outcome', 'outcome must be one of the following values: won, lost')
  @notFound()
  @unsupported()
  @ApiProblem(422, 'Unprocessable: not accepted yet, or another outcome was reported already', {
    code: 'lead-offer-not-accepted',
    detail: `accept lead ${EXAMPLE_LEAD} before reporting its outcome`,
  })
  async outcome(@CurrentPrincipal() p: Principal, @Param() { id }: LeadIdParam, @Body() dto: LeadOutcomeDto): Promise<LeadOutcomeReportedDto> {
    await this.distribution.reportOutcome(asPartner(p), id, dto.outcome, dto.note);
    return { leadId: id, outcome: dto.outcome };
  }
}
