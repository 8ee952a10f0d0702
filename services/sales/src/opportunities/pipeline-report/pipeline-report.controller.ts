import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Clock } from '@crm/kernel';
import { allPipelines, pipelineOf, type Pipelines } from '@crm/relationship';
import { PipelineCommands, READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { pipelineReport } from '@crm/relationship-read-models';
import { CLOCK, RequireDepartment, RequireKind } from '@crm/service-kit';
import { PipelineReportDto, PipelineReportQueryDto, type PipelineReportRowDto } from './pipeline-report.dto';

/**
 * `GET /pipeline`: the value of the open opportunities by stage — count, amount and
 * probability-weighted amount — per pipeline, owner or team, in each currency. With `asOf` it
 * answers what it said at that instant: the read model keeps every version of each opportunity's
 * reportable state, valid from when the store recorded the change that made it.
 */
@ApiTags('opportunities')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('sales', 'management')
@ApiUnauthorizedResponse({ description: 'No or a bad bearer token' })
@ApiForbiddenResponse({ description: 'Not staff of sales or management' })
@Controller('pipeline')
export class PipelineReportController {
  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    private readonly pipelines: PipelineCommands,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The pipeline by stage: count, amount, probability-weighted amount; per owner, team or pipeline; as of any instant' })
  @ApiOkResponse({ type: PipelineReportDto })
  async report(@Query() q: PipelineReportQueryDto): Promise<PipelineReportDto> {
    const asOf = q.asOf === undefined ? undefined : new Date(q.asOf);
    const groupBy = q.groupBy ?? 'pipeline';
    const [cells, defined] = await Promise.all([
      pipelineReport(this.readModels.dataSource.manager, { asOf, groupBy, pipelineId: q.pipelineId, owner: q.owner, team: q.team }),
      asOf ? this.pipelines.asOf(asOf) : this.pipelines.list().then((list): Pipelines => new Map(list.map((p) => [p.pipelineId, p]))),
    ]);
    // Stages in the order of their pipeline as it was defined then; pipelines the default first, then by name.
    const order = allPipelines(defined).map((p) => p.pipelineId);
    const rank = (pipelineId: string) => (order.includes(pipelineId) ? order.indexOf(pipelineId) : order.length);
    const stageRank = (pipelineId: string, stage: string) => {
      const stages = pipelineOf(defined, pipelineId)?.stages ?? [];
      const i = stages.findIndex((s) => s.stageId === stage);
      return i < 0 ? stages.length : i;
    };
    const rows: PipelineReportRowDto[] = cells.map((c) => {
      const pipeline = pipelineOf(defined, c.pipelineId);
      return {
        ...c,
        pipelineName: pipeline?.name ?? c.pipelineId,
        stageName: pipeline?.stages.find((s) => s.stageId === c.stage)?.name ?? c.stage,
      };
    });
    rows.sort((a, b) => rank(a.pipelineId) - rank(b.pipelineId) || stageRank(a.pipelineId, a.stage) - stageRank(b.pipelineId, b.stage));
    return { asOf: (asOf ?? this.clock.now()).toISOString(), groupBy, rows };
  }
}
