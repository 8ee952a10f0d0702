import { applyDecorators, Body, Controller, Headers, HttpCode, Patch, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { CaseCommands, type CaseView, type CommandOptions } from '@crm/relationship-api';
import {
  ApiProblem,
  CurrentPrincipal,
  expectedRevisionFromIfMatch,
  RequireDepartment,
  RequireKind,
  setEtag,
  UNSUPPORTED_DESCRIPTION,
  UuidParam,
  type HeaderResponse,
  type Principal,
} from '@crm/service-kit';
import { AssignCaseDto, CaseDetailsDto, CaseDto, ChangeCaseStatusDto, ReopenCaseDto, UnassignCaseDto } from './work-case.dto';

const IF_MATCH = { name: 'if-match', required: false, description: 'The ETag ("<revision>") of the case as last read: a stale one is 412', example: '"3"' };
const stale = () => ApiProblem(412, 'Precondition Failed: If-Match names an older revision', { detail: 'episode-… is at revision 4, not 3' });
/** If-Match, 404, 412, 409 and 415 of every change to a case, as one decorator (called when the class is decorated, so after the consts below). */
const caseCommandErrors = () => applyDecorators(ApiHeader(IF_MATCH), notFound(), stale(), conflict(), ApiProblem(415, UNSUPPORTED_DESCRIPTION));
const conflict = () => ApiProblem(409, 'Conflict: changed by someone else at the same time (without If-Match)');
const notFound = () => ApiNotFoundResponse({ description: 'No such case (or it is no case, or a partner’s episode)' });

/** `POST /cases/{id}/unassign`'s answer, as OpenAPI shows it. */
const UNASSIGNED_EXAMPLE = {
  caseId: '0b7c4f0e-3b1a-4a8e-9f51-2f0c4d6a1e11',
  customerId: '5d1f3c2a-8e4b-4f7a-9c6d-1a2b3c4d5e6f',
  name: 'Phone will not charge',
  channel: 'phone',
  status: 'new',
  priority: 'high',
  severity: 'major',
  category: 'charging',
  productId: 'phone-x1',
  team: 'phones-tier-2',
  assigneeId: null,
  openedAt: '2026-03-01T09:00:00.000Z',
  resolution: null,
  reopenCount: 0,
  statusHistory: [
    { status: 'new', enteredAt: '2026-03-01T09:00:00.000Z' },
    { status: 'assigned', enteredAt: '2026-03-01T09:05:00.000Z', from: 'new' },
    { status: 'new', enteredAt: '2026-03-01T11:00:00.000Z', from: 'assigned', reason: 'needs a tier-2 technician' },
  ],
  assignments: [{ agentId: 'budi', team: 'phones', reason: 'skills phones≥3, least loaded 1/4', assignedAt: '2026-03-01T09:05:00.000Z', assignedBy: 'router' }],
  unassignments: [
    { previousAgentId: 'budi', team: 'phones-tier-2', reason: 'needs a tier-2 technician', unassignedAt: '2026-03-01T11:00:00.000Z', unassignedBy: 'maya' },
  ],
  interactions: [],
  revision: '5',
};

/**
 * Working a case: its details, its status, its assignment, its reopening (resolving stays
 * `POST /cases/{id}/resolve`). Staff of service and management; every answer is the case as it is
 * now, with its ETag. A rule of the status machine broken is a 422 with its `code`.
 */
@ApiTags('cases')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('service', 'management')
@ApiUnauthorizedResponse({ description: 'No or a bad bearer token' })
@ApiProblem(403, 'Forbidden: not staff of service or management')
@Controller('cases')
export class WorkCaseController {
  constructor(private readonly cases: CaseCommands) {}

  @Patch(':id')
  @ApiOperation({ summary: 'Change priority, severity, category, product or team (null clears the last three); only what differs is recorded' })
  @ApiBody({ type: CaseDetailsDto, examples: { escalate: { value: { priority: 'urgent', severity: 'critical', team: 'phones-tier-2' } } } })
  @ApiOkResponse({ type: CaseDto, description: 'The case now (CaseDetailsChanged recorded if anything changed); ETag' })
  @ApiProblem(400, 'A field that is not valid: errors name it', {
    errors: [{ field: 'priority', message: 'priority must be one of the following values: low, normal, high, urgent' }],
  })
  @caseCommandErrors()
  @ApiProblem(422, 'Unprocessable Entity: a rule was broken; `code` names it (episode-closed)', {
    code: 'episode-closed',
    detail: 'episode … was closed (resolved)',
  })
  async change(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: CaseDetailsDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<CaseView> {
    const { priority, severity, category, productId, team } = dto;
    const changes = Object.fromEntries(Object.entries({ priority, severity, category, productId, team }).filter(([, v]) => v !== undefined));
    await this.cases.changeDetails(p, id, changes, options(ifMatch, correlationId));
    return this.answer(p, id, res);
  }

  @Post(':id/status')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move the case: in-progress, waiting-on-customer / waiting-on-partner (with what for), closed (only a resolved case)' })
  @ApiBody({
    type: ChangeCaseStatusDto,
    examples: { waiting: { value: { status: 'waiting-on-customer', reason: 'the serial number' } }, working: { value: { status: 'in-progress' } } },
  })
  @ApiOkResponse({ type: CaseDto, description: 'Moved (already there: nothing recorded); the case now; ETag' })
  @ApiProblem(400, 'A field that is not valid: errors name it', { errors: [{ field: 'status', message: 'status must be one of the following values: …' }] })
  @caseCommandErrors()
  @ApiProblem(422, 'Unprocessable Entity: a move the status machine does not allow; `code` names it', {
    code: 'status-needs-reason',
    detail: 'say what the case is waiting on customer for',
  })
  async changeStatus(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: ChangeCaseStatusDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<CaseView> {
    await this.cases.changeStatus(p, id, { status: dto.status, ...(dto.reason !== undefined && { reason: dto.reason }) }, options(ifMatch, correlationId));
    return this.answer(p, id, res);
  }

  @Post(':id/assignment')
  @HttpCode(200)
  @ApiOperation({ summary: 'Assign the case to an agent (and team), saying why; a new or reopened case becomes assigned' })
  @ApiBody({ type: AssignCaseDto, examples: { assign: { value: { agentId: 'budi', team: 'phones', reason: 'speaks Javanese; knows the X1' } } } })
  @ApiOkResponse({ type: CaseDto, description: 'Assigned (the same agent again: nothing recorded); the case now; ETag' })
  @ApiProblem(400, 'A field that is not valid: errors name it', { errors: [{ field: 'agentId', message: 'agentId should not be empty' }] })
  @caseCommandErrors()
  @ApiProblem(422, 'Unprocessable Entity: a rule was broken; `code` names it (episode-closed)', { code: 'episode-closed' })
  async assign(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: AssignCaseDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<CaseView> {
    await this.cases.assign(
      p,
      id,
      { agentId: dto.agentId, reason: dto.reason, ...(dto.team !== undefined && { team: dto.team }) },
      options(ifMatch, correlationId),
    );
    return this.answer(p, id, res);
  }

  @Post(':id/reopen')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reopen a resolved (not closed) case, saying why; it takes interactions again and is resolved again later' })
  @ApiBody({ type: ReopenCaseDto, examples: { reopen: { value: { reason: 'the phone still does not charge' } } } })
  @ApiOkResponse({ type: CaseDto, description: 'Reopened; the case now; ETag' })
  @ApiProblem(400, 'A field that is not valid: errors name it', { errors: [{ field: 'reason', message: 'reason should not be empty' }] })
  @caseCommandErrors()
  @ApiProblem(422, 'Unprocessable Entity: only a resolved case reopens; `code` names the rule (case-not-resolved, case-closed)', {
    code: 'case-not-resolved',
    detail: 'only a resolved case is reopened; this one is in-progress',
  })
  async reopen(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: ReopenCaseDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<CaseView> {
    await this.cases.reopen(p, id, { reason: dto.reason }, options(ifMatch, correlationId));
    return this.answer(p, id, res);
  }

  @Post(':id/unassign')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Take the case from its agent and put it back in its team’s queue (or another team’s), waiting (new), saying why',
    description:
      'Records CaseUnassigned with the CaseStatusChanged to new (and a CaseDetailsChanged first when it goes to another team); the router offers it again. ' +
      'A case no agent holds records nothing (only the team move, if asked): a retry is safe.',
  })
  @ApiBody({
    type: UnassignCaseDto,
    examples: {
      release: { value: { reason: 'agent went home sick' } },
      toAnotherTeam: { value: { reason: 'needs a tier-2 technician', team: 'phones-tier-2' } },
    },
  })
  @ApiOkResponse({ type: CaseDto, description: 'Back in the queue (no agent held it: nothing recorded); the case now; ETag', example: UNASSIGNED_EXAMPLE })
  @ApiProblem(400, 'A field that is not valid: errors name it', { errors: [{ field: 'reason', message: 'reason should not be empty' }] })
  @caseCommandErrors()
  @ApiProblem(422, 'Unprocessable Entity: a resolved or closed case keeps its agent; `code` names the rule (episode-closed)', {
    code: 'episode-closed',
    detail: 'episode … was closed (resolved)',
  })
  async unassign(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: UnassignCaseDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<CaseView> {
    await this.cases.unassign(p, id, { reason: dto.reason, ...(dto.team !== undefined && { team: dto.team }) }, options(ifMatch, correlationId));
    return this.answer(p, id, res);
  }

  /** The case as it is now (read from its stream, so it shows the change just made), with its ETag. */
  private async answer(p: Principal, id: string, res: HeaderResponse): Promise<CaseView> {
    const view = await this.cases.get(p, id);
    setEtag(res, BigInt(view.revision));
    return view;
  }
}

function options(ifMatch: string | undefined, correlationId: string | undefined): CommandOptions {
  return { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId };
}
