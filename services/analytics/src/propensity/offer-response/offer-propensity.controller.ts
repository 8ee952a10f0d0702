import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CustomerIdParam } from '@crm/relationship-api';
import { ApiProblem, RequireKind } from '@crm/service-kit';
import { OfferPropensityQuery, type OfferPropensityView } from './offer-propensity.query';

/** How likely a customer is to respond to each type of campaign, for staff of every department (marketing above all). */
@ApiTags('offer-response')
@ApiBearerAuth()
@RequireKind('staff')
@Controller('customers')
export class OfferPropensityController {
  constructor(private readonly query: OfferPropensityQuery) {}

  @Get(':id/offer-propensity')
  @ApiOperation({
    summary: 'Response propensity per campaign type: the customer’s own responses shrunk toward the type’s rate (Beta prior, empirical Bayes)',
    description: 'A campaign type is the campaign’s channel. propensity = (responses + priorStrength × typeRate) / (touches + priorStrength).',
  })
  @ApiOkResponse({
    description: 'Every campaign type any customer was reached by, likeliest response first',
    schema: {
      type: 'object',
      properties: {
        customerId: { type: 'string', format: 'uuid' },
        asOf: { type: 'string', format: 'date-time' },
        byCampaignType: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              campaignType: { type: 'string' },
              touches: { type: 'integer' },
              responses: { type: 'integer' },
              propensity: { type: 'number' },
              typeRate: { type: 'number' },
              priorStrength: { type: 'number' },
              customers: { type: 'integer' },
            },
          },
        },
      },
      example: {
        customerId: '6f1c2a9e-3b7d-4c1e-9a55-0c6f2b8d4e11',
        asOf: '2026-03-01T09:00:00.000Z',
        byCampaignType: [
          { campaignType: 'email', touches: 4, responses: 2, propensity: 0.19, typeRate: 0.08, priorStrength: 12.5, customers: 310 },
          { campaignType: 'sms', touches: 0, responses: 0, propensity: 0.03, typeRate: 0.03, priorStrength: 40, customers: 120 },
        ],
      },
    },
  })
  @ApiProblem(400, 'The id is not a UUID', { errors: [{ field: 'id', message: 'id must be a UUID' }] })
  @ApiProblem(401, 'No or an invalid bearer token')
  @ApiProblem(403, 'Not staff (a partner token)')
  @ApiProblem(404, 'No such customer')
  propensity(@Param() { id }: CustomerIdParam): Promise<OfferPropensityView> {
    return this.query.handle(id);
  }
}
