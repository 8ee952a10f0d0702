import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ReadModelVersionProgress, ReadModelVersions } from '@crm/projections';
import { ApiProblem, RequireKind, RequireRoles } from '@crm/service-kit';
import { READ_MODEL_VERSIONS } from './read-model-versions.provider';

const VERSION_SCHEMA = {
  type: 'object',
  properties: {
    readModel: { type: 'string', example: 'analytics.kpi-facts' },
    version: { type: 'integer', example: 2 },
    state: { type: 'string', enum: ['building', 'serving', 'retired', 'dropped'] },
    runner: { type: 'string', enum: ['stopped', 'starting', 'catching-up', 'live', 'retrying'], description: 'Absent when this process does not run it' },
    position: { type: 'string', nullable: true, description: 'Last store position applied, "<commit>/<prepare>"' },
    head: { type: 'string', nullable: true, description: 'The furthest position any version of the read model has reached' },
    progress: { type: 'number', nullable: true, description: 'position / head by the global event number; 1 when caught up' },
    eventsApplied: { type: 'integer' },
    eventsPerSecond: { type: 'number', nullable: true, description: 'Since the previous call (null on the first)' },
    parked: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
    switchedAt: { type: 'string', format: 'date-time', nullable: true },
    retiredAt: { type: 'string', format: 'date-time', nullable: true },
    droppedAt: { type: 'string', format: 'date-time', nullable: true },
  },
};

/** Operations: which version of each versioned read model serves, and how far a new one has got. */
@ApiTags('read-models')
@ApiBearerAuth()
@RequireKind('staff')
@RequireRoles('admin')
@Controller('read-models')
export class ReadModelsController {
  constructor(@Inject(READ_MODEL_VERSIONS) private readonly versions: ReadModelVersions) {}

  @Get()
  @ApiOperation({ summary: 'Versioned read models: the serving version and any being built beside it, with progress (admins)' })
  @ApiOkResponse({
    description: 'Every version, oldest first per read model',
    schema: { type: 'object', properties: { readModels: { type: 'array', items: VERSION_SCHEMA } } },
    example: {
      readModels: [
        {
          readModel: 'analytics.kpi-facts',
          version: 1,
          state: 'serving',
          runner: 'live',
          position: '812/40211',
          head: '812/40211',
          progress: 1,
          eventsApplied: 18877,
          eventsPerSecond: 3.5,
          parked: 0,
          createdAt: '2026-03-01T09:00:00.000Z',
          switchedAt: '2026-03-01T09:00:00.000Z',
          retiredAt: null,
          droppedAt: null,
        },
        {
          readModel: 'analytics.kpi-facts',
          version: 2,
          state: 'building',
          runner: 'catching-up',
          position: '511/22003',
          head: '812/40211',
          progress: 0.547,
          eventsApplied: 10321,
          eventsPerSecond: 2140.2,
          parked: 0,
          createdAt: '2026-03-02T09:00:00.000Z',
          switchedAt: null,
          retiredAt: null,
          droppedAt: null,
        },
      ],
    },
  })
  @ApiProblem(401, 'No or an invalid bearer token')
  @ApiProblem(403, 'Not staff with the admin role')
  async list(): Promise<{ readModels: ReadModelVersionProgress[] }> {
    return { readModels: await this.versions.progress() };
  }
}
