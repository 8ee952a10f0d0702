import { Body, Controller, Get, Headers, HttpCode, Post, Put, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { DEFAULT_PIPELINE_ID, type Pipeline } from '@crm/relationship';
import { PipelineCommands } from '@crm/relationship-api';
import {
  CurrentPrincipal,
  expectedRevisionFromIfMatch,
  RequireDepartment,
  RequireKind,
  RequireRoles,
  setEtag,
  type HeaderResponse,
  type Principal,
  type StaffPrincipal,
  UuidParam,
} from '@crm/service-kit';
import { CreatePipelineDto, PipelineDefinitionDto, PipelineDto, PipelineListDto } from './pipelines.dto';

const view = (p: Pipeline): PipelineDto => ({ ...p, stages: p.stages.map((s) => ({ ...s })), default: p.pipelineId === DEFAULT_PIPELINE_ID });
const RULES =
  'A rule was broken; `code` names it: pipeline-needs-stages, stage-ids-unique, pipeline-keeps-stages (a stage cannot be removed), pipeline-name-taken, pipeline-exists…';

/**
 * The sales pipelines: ordered stages with a default win probability each. Buttle's sales process is
 * the default pipeline, there without any setup. Staff of sales and management read them; only
 * sales managers and admins (role `manager` or `admin`) create and change them. Recorded as events
 * (`PipelineCreated`, `PipelineChanged`) in the `sales-pipelines` stream.
 */
@ApiTags('pipelines')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('sales', 'management')
@ApiUnauthorizedResponse({ description: 'No or a bad bearer token' })
@ApiForbiddenResponse({ description: 'Not staff of sales or management (and, to change a pipeline, without the role manager or admin)' })
@Controller('pipelines')
export class PipelinesController {
  constructor(private readonly pipelines: PipelineCommands) {}

  @Get()
  @ApiOperation({ summary: 'Every pipeline, the default first' })
  @ApiOkResponse({ type: PipelineListDto })
  async list(): Promise<PipelineListDto> {
    return { items: (await this.pipelines.list()).map(view) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One pipeline; its ETag is its version' })
  @ApiOkResponse({ type: PipelineDto })
  @ApiNotFoundResponse({ description: 'No such pipeline' })
  async get(@UuidParam('id') id: string, @Res({ passthrough: true }) res: HeaderResponse): Promise<PipelineDto> {
    const pipeline = await this.pipelines.get(id);
    setEtag(res, BigInt(pipeline.version));
    return view(pipeline);
  }

  @Post()
  @HttpCode(201)
  @RequireRoles('manager', 'admin')
  @ApiOperation({ summary: 'Create a pipeline (sales managers and admins)' })
  @ApiCreatedResponse({
    type: PipelineDto,
    description: 'Created (the same creation again with the same pipelineId changes nothing); Location names it; ETag',
  })
  @ApiUnsupportedMediaTypeResponse({ description: 'A body that is not JSON' })
  @ApiUnprocessableEntityResponse({ description: RULES })
  async create(
    @CurrentPrincipal() p: Principal,
    @Body() dto: CreatePipelineDto,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<PipelineDto> {
    const { pipeline } = await this.pipelines.create(p as StaffPrincipal, dto, { correlationId });
    res.setHeader('Location', `/pipelines/${pipeline.pipelineId}`);
    setEtag(res, BigInt(pipeline.version));
    return view(pipeline);
  }

  @Put(':id')
  @RequireRoles('manager', 'admin')
  @ApiOperation({ summary: 'Replace a pipeline’s name and stages: rename, reorder, re-weight, add — never remove a stage (sales managers and admins)' })
  @ApiHeader({ name: 'if-match', required: false, description: 'The version as last read: a stale one is 412', example: '"1"' })
  @ApiOkResponse({ type: PipelineDto, description: 'Changed (the same definition again changes nothing); ETag' })
  @ApiNotFoundResponse({ description: 'No such pipeline' })
  @ApiPreconditionFailedResponse({ description: 'If-Match names an older version' })
  @ApiUnsupportedMediaTypeResponse({ description: 'A body that is not JSON' })
  @ApiUnprocessableEntityResponse({ description: RULES })
  async change(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: PipelineDefinitionDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<PipelineDto> {
    const { pipeline } = await this.pipelines.change(p as StaffPrincipal, id, dto, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    setEtag(res, BigInt(pipeline.version));
    return view(pipeline);
  }
}
