import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblem, HttpProblem, ProblemTypes, RequireKind } from '@crm/service-kit';
import { CustomerValuations } from '../customer-valuations';
import { ClvModelQueryDto } from '../value.dto';

export interface ClvModelView {
  bgnbd: { r: number; alpha: number; a: number; b: number };
  gammaGamma: { p: number; q: number; gamma: number };
  logLikelihood: { bgnbd: number; gammaGamma: number };
  warnings: string[];
  customers: number;
  repeaters: number;
  unit: 'day' | 'week';
  calibrationEnd: string;
  reportingCurrency: string;
  fittedAt: string;
  unconverted: { orders: number; currencies: string[] };
}

/** `GET /models/clv`: the BG/NBD and Gamma-Gamma parameters fitted on the purchase history (docs/analytics.md). */
@ApiTags('lifetime value')
@ApiBearerAuth()
@RequireKind('staff')
@Controller('models')
export class ClvModelController {
  constructor(private readonly valuations: CustomerValuations) {}

  @Get('clv')
  @ApiOperation({
    summary: 'The lifetime value models fitted by maximum likelihood',
    description:
      'BG/NBD (purchase frequency and drop-out) over every customer with a purchase by `calibrationEnd`, Gamma-Gamma (spend per purchase) over the repeat customers, on purchase occasions in the reporting currency (several orders on a day are one). A fit is cached for the same calibration end, unit and history: new purchases give a new fit. α is in `unit`s; γ in minor units of the reporting currency.',
  })
  @ApiOkResponse({
    description: 'The fitted parameters',
    schema: {
      type: 'object',
      properties: {
        bgnbd: { type: 'object', properties: { r: { type: 'number' }, alpha: { type: 'number' }, a: { type: 'number' }, b: { type: 'number' } } },
        gammaGamma: { type: 'object', properties: { p: { type: 'number' }, q: { type: 'number' }, gamma: { type: 'number' } } },
        logLikelihood: { type: 'object', properties: { bgnbd: { type: 'number' }, gammaGamma: { type: 'number' } } },
        warnings: {
          type: 'array',
          items: { type: 'string' },
          description:
            'Empty for a well-determined fit. Each parameter is kept within 10⁶ times its starting scale; a fit ending at that edge says the history was too small or too regular to pin the model down',
        },
        customers: { type: 'integer', description: 'Customers with a purchase by the calibration end' },
        repeaters: { type: 'integer', description: 'Of them, those with repeat purchases (the Gamma-Gamma fit)' },
        unit: { type: 'string', enum: ['week', 'day'] },
        calibrationEnd: { type: 'string', format: 'date' },
        reportingCurrency: { type: 'string' },
        fittedAt: { type: 'string', format: 'date-time' },
        unconverted: { type: 'object', properties: { orders: { type: 'integer' }, currencies: { type: 'array', items: { type: 'string' } } } },
      },
    },
    example: {
      bgnbd: { r: 0.2426, alpha: 4.4136, a: 0.7929, b: 2.4259 },
      gammaGamma: { p: 6.2496, q: 3.7442, gamma: 1544.35 },
      logLikelihood: { bgnbd: -9582.43, gammaGamma: -8412.37 },
      warnings: [],
      customers: 2357,
      repeaters: 946,
      unit: 'week',
      calibrationEnd: '1997-09-30',
      reportingCurrency: 'USD',
      fittedAt: '2026-11-26T13:00:00.000Z',
      unconverted: { orders: 0, currencies: [] },
    },
  })
  @ApiProblem(400, 'A query value that is not valid (`errors` names it)', {
    type: 'urn:crm:problem:validation-failed',
    errors: [{ field: 'calibrationEnd', message: 'calibrationEnd must be a calendar date YYYY-MM-DD such as 2026-06-30' }],
  })
  @ApiProblem(401, 'No or an invalid bearer token')
  @ApiProblem(403, 'Not staff (a partner token)')
  @ApiProblem(422, 'Not enough purchase history to fit the models', { code: 'clv-needs-purchase-history' })
  async model(@Query() q: ClvModelQueryDto): Promise<ClvModelView> {
    const today = this.valuations.today();
    const calibrationEnd = q.calibrationEnd ?? today;
    if (calibrationEnd > today) {
      const message = `calibrationEnd must not be after today (${today})`;
      throw new HttpProblem(400, message, { type: ProblemTypes.validation, errors: [{ field: 'calibrationEnd', message }] });
    }
    const m = await this.valuations.model(calibrationEnd, q.unit ?? this.valuations.unit);
    return {
      bgnbd: m.bgnbd,
      gammaGamma: m.gammaGamma,
      logLikelihood: m.logLikelihood,
      warnings: m.warnings,
      customers: m.customers,
      repeaters: m.repeaters,
      unit: m.unit,
      calibrationEnd: m.calibrationEnd,
      reportingCurrency: m.reportingCurrency,
      fittedAt: m.fittedAt,
      unconverted: m.unconverted,
    };
  }
}
