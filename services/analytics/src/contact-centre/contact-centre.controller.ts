import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblem, RequireKind } from '@crm/service-kit';
import { ContactCentreEfficiencyQueryDto, ContactCentreMeasuresQueryDto, DEA_MODELS, EvaluateEfficiencyDto, MEASURE_GROUPINGS } from './contact-centre.dto';
import { ContactCentreQueries, type ContactCentreMeasuresView, type EfficiencyView, type TeamEfficiencyView } from './contact-centre.query';

const rate = { type: 'number', nullable: true, description: '0..1; null when there is nothing to divide by' };
const basis = {
  from: { type: 'string', format: 'date' },
  to: { type: 'string', format: 'date' },
  asOf: { type: 'string', format: 'date-time' },
  source: { type: 'object', properties: { readModel: { type: 'string' }, version: { type: 'integer' } } },
};
const EXAMPLE_BASIS = {
  from: '2026-03-01',
  to: '2026-03-31',
  asOf: '2026-04-01T00:00:00.000Z',
  source: { readModel: 'analytics.contact-centre-facts', version: 1 },
};
const numbers = { type: 'array', items: { type: 'number' } };
const unitResult = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    inputs: numbers,
    outputs: numbers,
    theta: { type: 'number', description: 'Input-oriented efficiency, 1 = on the frontier' },
    efficient: { type: 'boolean', description: 'θ = 1 and no slack' },
    peers: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, lambda: { type: 'number' } } } },
    inputSlacks: numbers,
    outputSlacks: numbers,
    inputTargets: { ...numbers, description: 'θ·x − s⁻' },
    outputTargets: { ...numbers, description: 'y + s⁺' },
  },
};
const EXAMPLE_UNITS = [
  {
    name: 'billing',
    inputs: [1.5, 10, 12000],
    outputs: [6, 5, 4],
    theta: 1,
    efficient: true,
    peers: [{ name: 'billing', lambda: 1 }],
    inputSlacks: [0, 0, 0],
    outputSlacks: [0, 0, 0],
    inputTargets: [1.5, 10, 12000],
    outputTargets: [6, 5, 4],
  },
  {
    name: 'repairs',
    inputs: [2, 16, 16000],
    outputs: [4, 2, 2],
    theta: 0.5,
    efficient: false,
    peers: [{ name: 'billing', lambda: 0.6667 }],
    inputSlacks: [0, 0.6667, 0],
    outputSlacks: [0, 1.3333, 0.6667],
    inputTargets: [1, 7.3333, 8000],
    outputTargets: [4, 3.3333, 2.6667],
  },
];
const BAD_QUERY = { errors: [{ field: 'groupBy', message: 'groupBy must be one of the following values: team, channel, none' }] };

/**
 * The measures of a good contact centre and its efficiency (issue 12 §6; docs/analytics.md,
 * "Contact centre"): first-contact resolution, reopen rate, handle time, abandonment, CSAT, and data
 * envelopment analysis over teams — or over units the caller brings.
 */
@ApiTags('contact-centre')
@ApiBearerAuth()
@RequireKind('staff')
@Controller('contact-centre')
export class ContactCentreController {
  constructor(private readonly queries: ContactCentreQueries) {}

  @Get('measures')
  @ApiOperation({
    summary: 'First-contact resolution, reopen rate, average handle time, abandonment, containment and CSAT over a window, per team, channel or overall',
  })
  @ApiOkResponse({
    description: 'One entry per group with something in the window (groupBy none: one entry, "all")',
    schema: {
      type: 'object',
      properties: {
        ...basis,
        groupBy: { type: 'string', enum: [...MEASURE_GROUPINGS] },
        groups: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              group: { type: 'string' },
              cases: {
                type: 'object',
                properties: {
                  resolved: { type: 'integer' },
                  firstContactResolutions: { type: 'integer' },
                  firstContactResolutionRate: rate,
                  reopened: { type: 'integer' },
                  reopenRate: rate,
                },
              },
              calls: {
                type: 'object',
                properties: {
                  offered: { type: 'integer' },
                  containedInIvr: { type: 'integer' },
                  containmentRate: rate,
                  abandoned: { type: 'integer' },
                  abandonmentRate: rate,
                  answered: { type: 'integer' },
                  averageHandleSeconds: { type: 'number', nullable: true },
                },
              },
              satisfaction: {
                type: 'object',
                properties: { answers: { type: 'integer' }, satisfied: { type: 'integer' }, csat: rate, meanScore: { type: 'number', nullable: true } },
              },
            },
          },
        },
      },
    },
    example: {
      ...EXAMPLE_BASIS,
      groupBy: 'team',
      groups: [
        {
          group: 'billing',
          cases: { resolved: 40, firstContactResolutions: 29, firstContactResolutionRate: 0.725, reopened: 3, reopenRate: 0.075 },
          calls: { offered: 120, containedInIvr: 20, containmentRate: 0.1667, abandoned: 8, abandonmentRate: 0.08, answered: 92, averageHandleSeconds: 312.5 },
          satisfaction: { answers: 25, satisfied: 21, csat: 0.84, meanScore: 4.2 },
        },
      ],
    },
  })
  @ApiProblem(400, 'A query value that is not valid (from after to, an unknown groupBy…): errors name it', BAD_QUERY)
  @ApiProblem(401, 'No or an invalid bearer token')
  @ApiProblem(403, 'Not staff (a partner token)')
  measures(@Query() q: ContactCentreMeasuresQueryDto): Promise<ContactCentreMeasuresView> {
    return this.queries.measures(q);
  }

  @Get('efficiency')
  @ApiOperation({ summary: "Teams' efficiency over a window by data envelopment analysis (input-oriented CCR or BCC): θ, peers, targets, scale efficiency" })
  @ApiOkResponse({
    description:
      'Inputs agents, staffed hours, cost (when every staffed agent has an hourly cost in one currency); outputs cases resolved, first-contact resolutions, satisfaction answers of 4–5. Teams with zero inputs are listed under excluded, with the reason.',
    schema: {
      type: 'object',
      properties: {
        ...basis,
        model: { type: 'string', enum: [...DEA_MODELS] },
        inputs: { type: 'array', items: { type: 'string' } },
        outputs: { type: 'array', items: { type: 'string' } },
        currency: { type: 'string', nullable: true },
        units: {
          type: 'array',
          items: { ...unitResult, properties: { ...unitResult.properties, scaleEfficiency: { type: 'number', description: 'CCR θ / BCC θ' } } },
        },
        excluded: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, reason: { type: 'string' } } } },
        notes: { type: 'array', items: { type: 'string' } },
      },
    },
    example: {
      ...EXAMPLE_BASIS,
      model: 'ccr',
      inputs: ['agents', 'staffedHours', 'cost'],
      outputs: ['casesResolved', 'firstContactResolutions', 'satisfiedAnswers'],
      currency: 'EUR',
      units: EXAMPLE_UNITS.map((u) => ({ ...u, scaleEfficiency: u.theta })),
      excluded: [{ name: 'unassigned', reason: 'no staffed hours in the period (no agent of the team was other than offline): zero inputs' }],
      notes: [],
    },
  })
  @ApiProblem(400, 'A query value that is not valid: errors name it', {
    errors: [{ field: 'model', message: 'model must be one of the following values: ccr, bcc' }],
  })
  @ApiProblem(401, 'No or an invalid bearer token')
  @ApiProblem(403, 'Not staff (a partner token)')
  efficiency(@Query() q: ContactCentreEfficiencyQueryDto): Promise<TeamEfficiencyView> {
    return this.queries.teamEfficiency(q);
  }

  @Post('efficiency')
  @HttpCode(200)
  @ApiOperation({ summary: 'Data envelopment analysis of units the caller brings (e.g. its 43 call centres): θ, peers and targets of each' })
  @ApiBody({
    type: EvaluateEfficiencyDto,
    examples: {
      callCentres: {
        summary: 'Three call centres: agents, hours, cost in; resolved, first-contact, satisfied out',
        value: {
          model: 'ccr',
          inputNames: ['agents', 'hours', 'cost'],
          outputNames: ['resolved', 'firstContact', 'satisfied'],
          units: [
            { name: 'Seoul 1', inputs: [42, 6800, 150000000], outputs: [9100, 6400, 5200] },
            { name: 'Busan', inputs: [30, 5000, 120000000], outputs: [5200, 3300, 2900] },
            { name: 'Incheon', inputs: [25, 4100, 90000000], outputs: [5600, 4100, 3500] },
          ],
        },
      },
    },
  })
  @ApiOkResponse({
    description: 'Every unit in the order given',
    schema: {
      type: 'object',
      properties: {
        model: { type: 'string', enum: [...DEA_MODELS] },
        inputNames: { type: 'array', items: { type: 'string' } },
        outputNames: { type: 'array', items: { type: 'string' } },
        units: { type: 'array', items: unitResult },
      },
    },
    example: { model: 'ccr', inputNames: ['agents', 'hours', 'cost'], outputNames: ['resolved', 'firstContact', 'satisfied'], units: EXAMPLE_UNITS },
  })
  @ApiProblem(
    400,
    'Units DEA cannot evaluate (none, more than 100, negative or non-numeric figures, units of different lengths, a unit without inputs, a name twice): errors name the field',
    {
      errors: [{ field: 'units.1.inputs', message: 'every unit has the same 3 inputs' }],
    },
  )
  @ApiProblem(401, 'No or an invalid bearer token')
  @ApiProblem(403, 'Not staff (a partner token)')
  evaluate(@Body() dto: EvaluateEfficiencyDto): Promise<EfficiencyView> {
    return this.queries.evaluate(dto);
  }
}
