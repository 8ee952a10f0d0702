import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CustomerIdParam } from '@crm/relationship-api';
import { ApiProblem, RequireDepartment, RequireKind } from '@crm/service-kit';
import {
  AtRiskQueryDto,
  CHURN_MODEL_EXAMPLE,
  ChurnRiskQueryDto,
  CHURN_MODEL_SCHEMA,
  CHURN_REASONS_SCHEMA,
  CHURN_RISK_EXAMPLE,
  TrainChurnModelDto,
} from './churn.dto';
import type { ChurnModelView } from './churn-model.view';
import { ChurnRiskQueries, type AtRiskPage, type ChurnRiskView } from './churn-risk.query';
import { TrainChurnModelHandler } from './train-churn-model.command';
import { AssessChurnRiskHandler, type ChurnRiskAssessment } from './assess-churn-risk.command';

const NOT_TRAINED = { type: 'urn:crm:problem:model-not-trained', code: 'model-not-trained' };

/**
 * The churn (defection) model: trained on demand on a time split, stored with its parameters and
 * hold-out AUC; its scores with their reasons. Staff of every department read; analytics and
 * management train (a new version replaces what everyone else's scores come from).
 */
@ApiTags('churn')
@ApiBearerAuth()
@RequireKind('staff')
@ApiProblem(401, 'No or an invalid bearer token')
@Controller()
export class ChurnModelController {
  constructor(
    private readonly training: TrainChurnModelHandler,
    private readonly queries: ChurnRiskQueries,
    private readonly assessment: AssessChurnRiskHandler,
  ) {}

  @Post('models/churn/train')
  @HttpCode(201)
  @RequireDepartment('analytics', 'management')
  @ApiOperation({
    summary: 'Train the churn model on a time split (features as of asOf, churn in the window after it) and store it as the next version',
    description:
      'A customer who bought by asOf and places no order in (asOf, asOf + windowDays] has churned. Customers are split into training and hold-out by a hash of their id and the seed; ' +
      'the answer carries the hold-out ROC AUC. The body may be empty: every parameter has a default.',
  })
  @ApiCreatedResponse({ description: 'The stored model', schema: { ...CHURN_MODEL_SCHEMA, example: CHURN_MODEL_EXAMPLE } })
  @ApiProblem(400, 'A parameter out of range, or asOf + windowDays after now (`errors` names it)', {
    errors: [{ field: 'windowDays', message: 'windowDays must not be less than 7' }],
  })
  @ApiProblem(403, 'Not staff of analytics or management (a partner token, or another department)')
  @ApiProblem(422, 'Too few churned or retained customers on a side of the split', { code: 'not-enough-data' })
  train(@Body() dto: TrainChurnModelDto): Promise<ChurnModelView> {
    return this.training.handle(dto);
  }

  @Post('models/churn/assessments')
  @HttpCode(201)
  @RequireDepartment('analytics', 'management')
  @ApiOperation({
    summary: "Score every customer who bought with the latest churn model as of now, and record each customer's churn-risk band where it changed",
    description:
      'Bands: high from a probability of 0.5, medium from 0.25, else low. A customer whose band differs from the one last recorded gets a `CustomerChurnRiskChanged` ' +
      '(docs/events.md), which marketing segments target (`churnRisk`). Assessing again with no band change records nothing. No body.',
  })
  @ApiCreatedResponse({
    description: 'What was assessed and how many bands changed',
    schema: {
      type: 'object',
      required: ['modelVersion', 'asOf', 'horizonDays', 'assessed', 'changed', 'bands'],
      properties: {
        modelVersion: { type: 'integer', minimum: 1 },
        asOf: { type: 'string', format: 'date-time' },
        horizonDays: { type: 'integer', minimum: 1 },
        assessed: { type: 'integer', minimum: 0, description: 'Customers who bought, scored' },
        changed: { type: 'integer', minimum: 0, description: 'Band changes recorded' },
        bands: {
          type: 'object',
          properties: { low: { type: 'integer' }, medium: { type: 'integer' }, high: { type: 'integer' } },
          description: 'Customers per band now',
        },
      },
      example: { modelVersion: 3, asOf: '2026-11-27T08:00:00.000Z', horizonDays: 90, assessed: 1200, changed: 37, bands: { low: 900, medium: 220, high: 80 } },
    },
  })
  @ApiProblem(403, 'Not staff of analytics or management (a partner token, or another department)')
  @ApiProblem(409, 'No model has been trained yet', NOT_TRAINED)
  assess(): Promise<ChurnRiskAssessment> {
    return this.assessment.handle();
  }

  @Get('models/churn')
  @ApiOperation({ summary: 'The latest churn model: parameters, hold-out AUC, sizes, coefficients, when trained' })
  @ApiOkResponse({ description: 'The latest version', schema: { ...CHURN_MODEL_SCHEMA, example: CHURN_MODEL_EXAMPLE } })
  @ApiProblem(403, 'Not staff (a partner token)')
  @ApiProblem(404, 'No model has been trained yet')
  model(): Promise<ChurnModelView> {
    return this.queries.model();
  }

  @Get('models/churn/at-risk')
  @ApiOperation({ summary: 'Customers who bought, most likely to churn first, by the latest model as of now (paged)' })
  @ApiOkResponse({
    description: 'One page; `nextCursor` for the next',
    schema: {
      type: 'object',
      properties: {
        modelVersion: { type: 'integer' },
        asOf: { type: 'string', format: 'date-time' },
        items: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              customerId: { type: 'string' },
              probability: { type: 'number' },
              reasons: CHURN_REASONS_SCHEMA,
              pAlive: { type: 'number', nullable: true },
            },
          },
        },
        nextCursor: { type: 'string' },
      },
      example: {
        modelVersion: 3,
        asOf: CHURN_RISK_EXAMPLE.asOf,
        items: [{ customerId: CHURN_RISK_EXAMPLE.customerId, probability: 0.74, reasons: CHURN_RISK_EXAMPLE.reasons, pAlive: 0.31 }],
        nextCursor: 'WzMsMC43NCwiNmYxYzJhOWUiXQ',
      },
    },
  })
  @ApiProblem(400, 'A limit or cursor that is not valid (`errors` names it)', {
    errors: [{ field: 'cursor', message: 'cursor is not one this list gave out' }],
  })
  @ApiProblem(403, 'Not staff (a partner token)')
  @ApiProblem(409, 'No model has been trained yet', NOT_TRAINED)
  atRisk(@Query() q: AtRiskQueryDto): Promise<AtRiskPage> {
    return this.queries.atRisk(q.limit ?? 50, q.cursor);
  }

  @Get('customers/:id/churn-risk')
  @ApiOperation({
    summary: "The customer's probability of churning in the model's window from now (or from asOf, as the customer stood then), with its top reasons",
  })
  @ApiOkResponse({
    description: 'probability is null for a customer who never bought (churn is defined for customers who bought)',
    schema: {
      type: 'object',
      properties: {
        customerId: { type: 'string', format: 'uuid' },
        modelVersion: { type: 'integer' },
        asOf: { type: 'string', format: 'date-time' },
        horizonDays: { type: 'integer' },
        probability: { type: 'number', nullable: true },
        reasons: CHURN_REASONS_SCHEMA,
        pAlive: { type: 'number', nullable: true, description: 'P(alive) from BG/NBD beside the churn probability; null without purchases or a BG/NBD fit' },
      },
      example: CHURN_RISK_EXAMPLE,
    },
  })
  @ApiProblem(400, 'The id is not a UUID, or asOf is not an instant (`errors` names it)', {
    type: 'urn:crm:problem:validation-failed',
    errors: [{ field: 'asOf', message: 'asOf must be an ISO 8601 instant such as 2026-03-01T09:00:00Z (years 0001–9999, offsets up to ±14:00)' }],
  })
  @ApiProblem(403, 'Not staff (a partner token)')
  @ApiProblem(404, 'No such customer')
  @ApiProblem(409, 'No model has been trained yet', NOT_TRAINED)
  risk(@Param() { id }: CustomerIdParam, @Query() q: ChurnRiskQueryDto): Promise<ChurnRiskView> {
    return this.queries.riskOf(id, q.asOf === undefined ? undefined : new Date(q.asOf));
  }
}
