import { Body, Controller, Get, Headers, HttpCode, Inject, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Clock } from '@crm/kernel';
import { READ_MODELS, type CommandOptions, type ReadModelRunners } from '@crm/relationship-api';
import { InvalidCursorError } from '@crm/relationship-read-models';
import { InvalidRuleError, validateRule } from '@crm/segments';
import {
  ApiProblem,
  badCursor,
  CLOCK,
  CurrentPrincipal,
  expectedRevisionFromIfMatch,
  IfMatchCommandErrors,
  RequireDepartment,
  SERVICE_CONFIG,
  setEtag,
  UuidParam,
  type HeaderResponse,
  type Principal,
  type ServiceConfig,
} from '@crm/service-kit';
import { assertSegmentStaff, ruleProblem, SegmentCommands, type SegmentView } from './segment-commands';
import { listSegments, previewRule, segmentMembers } from './segments.queries';
import {
  RULE_EXAMPLE,
  SegmentBodyDto,
  SegmentDto,
  SegmentListDto,
  SegmentListQueryDto,
  SegmentMembersDto,
  SegmentMembersQueryDto,
  SegmentPreviewDto,
  SegmentRuleBodyDto,
} from './segments.dto';

const ID = '7d3f1c2a-4b5e-4c6d-8e9f-0a1b2c3d4e5f';
const SEGMENT_EXAMPLE: SegmentView = {
  segmentId: ID,
  name: 'Gold van buyers with e-mail consent',
  rule: RULE_EXAMPLE as never,
  segmentRevision: 1,
  status: 'active',
  definedBy: 'mia',
  definedAt: '2026-05-01T09:00:00.000Z',
  changedAt: '2026-05-01T09:00:00.000Z',
  revision: '0',
};
const RULE_PROBLEM = {
  detail: 'rule.all[2].purchased.window.lastDays: must be a whole number from 1 to 36500',
  errors: [{ field: 'rule.all[2].purchased.window.lastDays', message: 'must be a whole number from 1 to 36500' }],
};
const IF_MATCH = { name: 'if-match', required: false, description: 'The segment’s ETag as last read ("<revision>"): a stale one is 412', example: '"0"' };
const segmentErrors = (required = false) =>
  IfMatchCommandErrors({ ifMatch: { ...IF_MATCH, required }, notFound: { problem: 'No such segment', example: { detail: `segment ${ID} not found` } } });

const options = (ifMatch: string | undefined, correlationId: string | undefined): CommandOptions => ({
  expectedRevision: expectedRevisionFromIfMatch(ifMatch),
  correlationId,
});

/**
 * Segments down to the individual customer (issue 13 §2): define a rule, see its live count and a
 * sample while editing, revise it (If-Match), archive it, read its members now or as of an instant.
 * Staff of marketing and management; every other department and partners 403.
 */
@ApiTags('segments')
@ApiBearerAuth()
@RequireDepartment('marketing', 'management')
@ApiUnauthorizedResponse({ description: 'No or a bad bearer token' })
@ApiProblem(403, 'Forbidden: not staff of marketing or management (partners, other departments)')
@Controller('segments')
export class SegmentsController {
  constructor(
    private readonly segments: SegmentCommands,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Define a segment: a name and a rule; its members follow the rule from now on (SegmentEntered / SegmentLeft)' })
  @ApiBody({ type: SegmentBodyDto, examples: { gold: { value: { name: SEGMENT_EXAMPLE.name, rule: RULE_EXAMPLE } } } })
  @ApiCreatedResponse({ type: SegmentDto, description: 'Defined; Location and ETag', schema: { example: SEGMENT_EXAMPLE } })
  @ApiProblem(400, 'A rule or field that is not valid: errors name the JSON path', RULE_PROBLEM)
  @ApiProblem(415, 'Unsupported Media Type: a body that is not JSON')
  async define(
    @CurrentPrincipal() p: Principal,
    @Body() dto: SegmentBodyDto,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<SegmentView> {
    const view = await this.segments.define(p, dto, { correlationId });
    res.setHeader('Location', `/segments/${view.segmentId}`);
    setEtag(res, BigInt(view.revision));
    return view;
  }

  @Post('preview')
  @HttpCode(200)
  @ApiOperation({ summary: 'The live count while editing: how many customers a rule selects now, and the first 20 of them' })
  @ApiBody({ type: SegmentRuleBodyDto, examples: { gold: { value: { rule: RULE_EXAMPLE } } } })
  @ApiOkResponse({
    type: SegmentPreviewDto,
    schema: {
      example: { count: 1342, sample: [{ customerId: '0b7c4f0e-3b1a-4a8e-9f51-2f0c4d6a1e11', name: 'PT Maju Jaya' }], asOf: '2026-05-01T09:00:00.000Z' },
    },
  })
  @ApiProblem(400, 'A rule that is not valid: errors name the JSON path', RULE_PROBLEM)
  @ApiProblem(415, 'Unsupported Media Type: a body that is not JSON')
  async preview(@CurrentPrincipal() p: Principal, @Body() dto: SegmentRuleBodyDto): Promise<SegmentPreviewDto> {
    assertSegmentStaff(p);
    let rule;
    try {
      rule = validateRule(dto.rule);
    } catch (error) {
      if (error instanceof InvalidRuleError) throw ruleProblem(error);
      throw error;
    }
    const now = this.clock.now();
    return { ...(await previewRule(this.readModels.dataSource.manager, rule, now, this.config.CRM_REPORTING_CURRENCY)), asOf: now.toISOString() };
  }

  @Get()
  @ApiOperation({ summary: 'The segments, by id, with their member counts; paged' })
  @ApiOkResponse({ type: SegmentListDto })
  @ApiProblem(400, 'A filter or cursor that is not valid: errors name it', {
    detail: 'cursor is not one this list gave out',
    errors: [{ field: 'cursor', message: 'cursor is not one this list gave out' }],
  })
  async list(@CurrentPrincipal() p: Principal, @Query() q: SegmentListQueryDto): Promise<SegmentListDto> {
    assertSegmentStaff(p);
    try {
      return await listSegments(this.readModels.dataSource.manager, { status: q.status, limit: q.limit ?? 50, cursor: q.cursor });
    } catch (error) {
      if (error instanceof InvalidCursorError) throw badCursor(error.message);
      throw error;
    }
  }

  @Get(':id')
  @ApiOperation({ summary: 'A segment as its history tells it (up to date); ETag for If-Match' })
  @ApiOkResponse({ type: SegmentDto, schema: { example: SEGMENT_EXAMPLE } })
  @ApiProblem(400, 'An id that is not a UUID', { errors: [{ field: 'id', message: 'id must be a UUID' }] })
  @ApiProblem(404, 'No such segment', { detail: `segment ${ID} not found` })
  async get(@CurrentPrincipal() p: Principal, @UuidParam('id') id: string, @Res({ passthrough: true }) res: HeaderResponse): Promise<SegmentView> {
    const view = await this.segments.get(p, id);
    setEtag(res, BigInt(view.revision));
    return view;
  }

  @Put(':id')
  @ApiOperation({ summary: 'Revise a segment: a new name and rule as a whole (the rule’s revision + 1); If-Match required' })
  @ApiBody({ type: SegmentBodyDto, examples: { wider: { value: { name: 'Gold and platinum', rule: { valueTier: { in: ['platinum', 'gold'] } } } } } })
  @ApiOkResponse({
    type: SegmentDto,
    description: 'Revised (or unchanged: the same name and rule record nothing); ETag',
    schema: { example: { ...SEGMENT_EXAMPLE, segmentRevision: 2, revision: '1' } },
  })
  @ApiProblem(400, 'A rule or field that is not valid: errors name the JSON path', RULE_PROBLEM)
  @ApiProblem(428, 'Precondition Required: no If-Match')
  @ApiProblem(422, 'A rule of the domain was broken (segment-archived)', { code: 'segment-archived' })
  @segmentErrors(true)
  async revise(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: SegmentBodyDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<SegmentView> {
    const view = await this.segments.revise(p, id, dto, options(ifMatch, correlationId));
    setEtag(res, BigInt(view.revision));
    return view;
  }

  @Post(':id/archive')
  @HttpCode(200)
  @ApiOperation({ summary: 'Archive a segment: its members leave it (SegmentLeft, segment-archived); archiving again records nothing' })
  @ApiOkResponse({ type: SegmentDto, schema: { example: { ...SEGMENT_EXAMPLE, status: 'archived', archivedAt: '2026-06-01T09:00:00.000Z', revision: '1' } } })
  @ApiProblem(400, 'An id that is not a UUID', { errors: [{ field: 'id', message: 'id must be a UUID' }] })
  @segmentErrors()
  async archive(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<SegmentView> {
    const view = await this.segments.archive(p, id, options(ifMatch, correlationId));
    setEtag(res, BigInt(view.revision));
    return view;
  }

  @Get(':id/members')
  @ApiOperation({ summary: 'The members now, or as of an instant (from the entered / left events), by customer id; paged' })
  @ApiOkResponse({
    type: SegmentMembersDto,
    schema: {
      example: {
        segmentId: ID,
        items: [{ customerId: '0b7c4f0e-3b1a-4a8e-9f51-2f0c4d6a1e11', name: 'PT Maju Jaya', since: '2026-05-01T09:00:01.000Z', segmentRevision: 1 }],
        nextCursor: null,
      },
    },
  })
  @ApiProblem(400, 'A bad asOf, limit or cursor: errors name it', { errors: [{ field: 'asOf', message: 'asOf must be an ISO 8601 instant' }] })
  @ApiProblem(404, 'No such segment', { detail: `segment ${ID} not found` })
  async members(@CurrentPrincipal() p: Principal, @UuidParam('id') id: string, @Query() q: SegmentMembersQueryDto): Promise<SegmentMembersDto> {
    await this.segments.get(p, id); // staff of marketing or management, an existing segment
    try {
      const asOf = q.asOf ? new Date(q.asOf) : undefined;
      const page = await segmentMembers(this.readModels.dataSource.manager, id, { asOf, limit: q.limit ?? 100, cursor: q.cursor });
      return { segmentId: id, ...(asOf && { asOf: asOf.toISOString() }), ...page };
    } catch (error) {
      if (error instanceof InvalidCursorError) throw badCursor(error.message);
      throw error;
    }
  }
}
