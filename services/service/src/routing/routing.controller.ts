import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { queueOrder } from '@crm/case-routing';
import type { Clock } from '@crm/kernel';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import {
  ApiProblem,
  CLOCK,
  CurrentPrincipal,
  expectedRevisionFromIfMatch,
  RequireDepartment,
  RequireKind,
  setEtag,
  type HeaderResponse,
  type Principal,
  type StaffPrincipal,
} from '@crm/service-kit';
import { contactCentreCommandErrors } from '../agents/contact-centre.openapi';
import { SLA_TIME_LEFT, type SlaTimeLeft } from './case-assignment.port';
import { CaseRoutingCommands, forbidden, isTeamLead } from './case-routing-commands';
import { pendingOffersOf, waitingCases } from './routing.queries';
import {
  DeclineOfferDto,
  OfferAnsweredDto,
  OfferIdParam,
  OfferListDto,
  OffersQueryDto,
  QueueDto,
  QueueQueryDto,
  ReplaceRoutingRulesDto,
  RoutingRulesDto,
} from './routing.dto';

const staff = (p: Principal) => p as StaffPrincipal;

/**
 * Routing (issue 12 §3): the rules (category → required skills), the queue in priority order with
 * each case's priority parts, and the offers the router makes — accepted or declined by the agent
 * they were made to. Staff of service and management only; the rules are changed by team leads.
 */
@ApiTags('routing')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('service', 'management')
@ApiProblem(401, 'Unauthorized: no or a bad bearer token')
@ApiProblem(403, 'Forbidden: not staff of service or management (a partner, another department)')
@Controller('routing')
export class RoutingController {
  constructor(
    private readonly routing: CaseRoutingCommands,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    @Inject(SLA_TIME_LEFT) private readonly sla: SlaTimeLeft,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('rules')
  @ApiOkResponse({ type: RoutingRulesDto, description: 'The rules in force (`rules: []` when none); `ETag` for If-Match' })
  async rules(@Res({ passthrough: true }) res: HeaderResponse): Promise<RoutingRulesDto> {
    const { revision, ...rules } = await this.routing.routingRules();
    setEtag(res, revision);
    return { rules: [...rules.rules], ...(rules.replacedBy && { replacedBy: rules.replacedBy, replacedAt: rules.replacedAt }) };
  }

  @Put('rules')
  @ApiOkResponse({ type: RoutingRulesDto, description: 'Replaced as a whole (the same list again changes nothing); `ETag`' })
  @ApiProblem(400, 'Bad Request: a rule that is not valid', {
    errors: [{ field: 'rules.0.skills.0.minLevel', message: 'minLevel must not be greater than 5' }],
  })
  @ApiProblem(403, 'Forbidden: `not-team-lead` — only team leads change the rules', { code: 'not-team-lead' })
  @contactCentreCommandErrors()
  @ApiProblem(422, 'Unprocessable: a rule was broken (routing-rule-categories-unique, routing-rule-skills-unique)', { code: 'routing-rule-categories-unique' })
  async replaceRules(
    @CurrentPrincipal() p: Principal,
    @Body() dto: ReplaceRoutingRulesDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<RoutingRulesDto> {
    const rules = dto.rules.map((r) => ({ category: r.category, skills: r.skills.map((s) => ({ skill: s.skill, minLevel: s.minLevel })) }));
    const { revision, ...result } = await this.routing.replaceRoutingRules(staff(p), rules, {
      expectedRevision: expectedRevisionFromIfMatch(ifMatch),
      correlationId,
    });
    setEtag(res, revision);
    return { rules: [...result.rules], ...(result.replacedBy && { replacedBy: result.replacedBy, replacedAt: result.replacedAt }) };
  }

  @Get('queue')
  @ApiOkResponse({
    type: QueueDto,
    description: 'Open cases no agent holds, in the order they are offered, with their priority and its parts (docs/service.md "Routing")',
  })
  @ApiProblem(400, 'Bad Request: team is not a team id', { errors: [{ field: 'team', message: 'team must be lower-case letters, digits and dashes' }] })
  async queue(@Query() q: QueueQueryDto): Promise<QueueDto> {
    const now = this.clock.now();
    const waiting = (await waitingCases(this.readModels.dataSource.manager)).filter((c) => q.team === undefined || c.team === q.team);
    const sla = waiting.length
      ? await this.sla.minutesLeft(
          waiting.map((c) => c.episodeId),
          now,
        )
      : new Map<string, number>();
    const ordered = queueOrder(
      waiting.map((c) => ({ ...c, slaMinutesLeft: sla.get(c.episodeId) ?? null })),
      now,
    );
    return {
      at: now.toISOString(),
      items: ordered.map((c, i) => ({
        position: i + 1,
        episodeId: c.episodeId,
        customerId: c.customerId,
        team: c.team ?? null,
        category: c.category ?? null,
        priority: c.score.priority,
        parts: c.score.parts,
        waitingSince: c.waitingSince,
        offered: c.hasPendingOffer,
        refusedBy: [...c.refusedBy],
      })),
    };
  }

  @Get('offers')
  @ApiOkResponse({ type: OfferListDto, description: "An agent's offers waiting for its answer, oldest first (routing read model)" })
  @ApiProblem(400, 'Bad Request: agentId is not an agent id', { errors: [{ field: 'agentId', message: 'an agent id is the staff user id' }] })
  @ApiProblem(403, "Forbidden: `not-own-offers` — another agent's offers: team leads only", { code: 'not-own-offers' })
  async offers(@CurrentPrincipal() p: Principal, @Query() q: OffersQueryDto): Promise<OfferListDto> {
    const agentId = q.agentId === undefined || q.agentId === 'me' ? p.subject : q.agentId;
    if (agentId !== p.subject && !isTeamLead(staff(p))) throw forbidden('not-own-offers', "an agent sees its own offers; team leads anyone's");
    return { items: await pendingOffersOf(this.readModels.dataSource.manager, agentId) };
  }

  @Post('offers/:offerId/accept')
  @HttpCode(200)
  @ApiOkResponse({
    type: OfferAnsweredDto,
    description: "Accepted: the case is assigned to the caller, recording the offer's reason; `ETag` of the case's routing history. Again: nothing new",
  })
  @ApiProblem(400, 'Bad Request: offerId is not a UUID', { errors: [{ field: 'offerId', message: 'offerId must be a UUID' }] })
  @contactCentreCommandErrors("Not Found: no such offer, or another agent's")
  @ApiProblem(422, 'Unprocessable: `offer-expired` (its time is up), `offer-settled` (declined or expired before)', { code: 'offer-expired' })
  async accept(
    @CurrentPrincipal() p: Principal,
    @Param() { offerId }: OfferIdParam,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<OfferAnsweredDto> {
    const r = await this.routing.accept(staff(p), offerId, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    setEtag(res, r.revision);
    return { offerId, episodeId: r.episodeId, status: 'accepted' };
  }

  @Post('offers/:offerId/decline')
  @HttpCode(200)
  @ApiOkResponse({ type: OfferAnsweredDto, description: 'Declined: the case goes to the next best agent, never to the caller again. Again: nothing new' })
  @ApiProblem(400, 'Bad Request: offerId is not a UUID, or a bad reason', {
    errors: [{ field: 'reason', message: 'reason must be shorter than or equal to 500 characters' }],
  })
  @contactCentreCommandErrors("Not Found: no such offer, or another agent's")
  @ApiProblem(422, 'Unprocessable: `offer-expired`, `offer-settled` (accepted or expired before)', { code: 'offer-settled' })
  async decline(
    @CurrentPrincipal() p: Principal,
    @Param() { offerId }: OfferIdParam,
    @Body() dto: DeclineOfferDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<OfferAnsweredDto> {
    const r = await this.routing.decline(staff(p), offerId, dto.reason, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    setEtag(res, r.revision);
    return { offerId, episodeId: r.episodeId, status: 'declined' };
  }
}
