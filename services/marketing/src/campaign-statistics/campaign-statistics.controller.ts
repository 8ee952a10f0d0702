import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ConfidenceLevel } from '@crm/campaign-statistics';
import { ApiProblem, RequireDepartment, RequireKind, UuidParam } from '@crm/service-kit';
import { StaffRouteErrors } from '../marketing.openapi';
import { CampaignStatisticsQueryDto } from './campaign-statistics.dto';
import { CampaignStatisticsQueries, type CampaignStatisticsView } from './campaign-statistics.query';

const count = { type: 'integer' };
const funnel = {
  type: 'object',
  properties: {
    audience: { ...count, description: 'Messages due on this step (recipients outside the control group)' },
    suppressed: count,
    suppressedBy: { type: 'object', additionalProperties: count, description: 'no-consent, frequency-cap, no-address, address-suppressed, …' },
    pending: { ...count, description: 'Not settled yet: due, or deferred and to be retried' },
    sent: { ...count, description: 'Taken by the channel (bounced ones included)' },
    delivered: { ...count, description: 'Sent and not bounced' },
    bounced: count,
    opened: { ...count, description: 'Delivered messages opened (a click counts as an open)' },
    clicked: count,
    responded: { ...count, description: 'Delivered messages answered (a reply, a call-back)' },
    cost: { ...count, description: 'Integer minor units of `currency`' },
  },
};
const interval = { type: 'object', properties: { lower: { type: 'number' }, upper: { type: 'number' } } };
const rate = { type: 'object', properties: { count, of: count, rate: { type: 'number', description: 'Absent when `of` is 0' }, interval } };
const uplift = {
  type: 'object',
  description: "Conversion rate minus the control group's, with Newcombe's interval; absent without a control group",
  properties: { difference: { type: 'number' }, lower: { type: 'number' }, upper: { type: 'number' } },
};
const group = { recipients: count, converted: rate, revenue: count, revenuePerRecipient: { type: 'number' } };
const variant = {
  type: 'object',
  properties: {
    variantId: { type: 'string' },
    ...group,
    funnel,
    openRate: rate,
    clickRate: rate,
    responseRate: rate,
    uplift,
    pValue: { type: 'number', description: 'Two-sided, pooled two-proportion z test against the control group' },
    incrementalConversions: { type: 'number' },
    incrementalRevenue: count,
  },
};
const EXAMPLE_FUNNEL = {
  audience: 900,
  suppressed: 40,
  suppressedBy: { 'no-consent': 38, 'frequency-cap': 2 },
  pending: 0,
  sent: 860,
  delivered: 851,
  bounced: 9,
  opened: 312,
  clicked: 97,
  responded: 12,
  cost: 4300,
};
const EXAMPLE = {
  campaignId: '6f1c2a5e-1b7d-4c3e-9a2f-5d8e7c6b4a31',
  name: 'Spring offer',
  currency: 'EUR',
  startedAt: '2026-04-01T08:00:00.000Z',
  closedAt: null,
  attributionWindowDays: 14,
  conversionsInOtherCurrencies: 0,
  confidence: 0.95,
  audience: 1000,
  funnel: EXAMPLE_FUNNEL,
  byStep: [
    {
      stepId: 'mail-1',
      funnel: EXAMPLE_FUNNEL,
      byVariant: [
        {
          variantId: 'a',
          recipients: 450,
          converted: { count: 54, of: 450, rate: 0.12, interval: { lower: 0.0931, upper: 0.1534 } },
          revenue: 270000,
          revenuePerRecipient: 600,
          funnel: { ...EXAMPLE_FUNNEL, audience: 450 },
          openRate: { count: 160, of: 425, rate: 0.3765 },
          clickRate: { count: 50, of: 425, rate: 0.1176 },
          responseRate: { count: 6, of: 425, rate: 0.0141 },
          uplift: { difference: 0.04, lower: -0.0057, upper: 0.0744 },
          pValue: 0.1,
          incrementalConversions: 18,
          incrementalRevenue: 90000,
        },
      ],
    },
  ],
  control: { recipients: 100, converted: { count: 8, of: 100, rate: 0.08 }, revenue: 40000, revenuePerRecipient: 400 },
  treated: { recipients: 900, converted: { count: 99, of: 900, rate: 0.11 }, revenue: 495000, uplift: { difference: 0.03, lower: -0.0271, upper: 0.0654 } },
  revenue: 495000,
  cost: 4300,
  roi: 114.12,
  incrementalRoi: 29.93,
};

/**
 * A campaign's statistics (issue 13 §5; docs/marketing.md, "Campaign statistics"): reach, response,
 * conversion and return per step and variant, and the uplift against the hold-out control group with
 * its confidence interval. Marketing and management run campaigns; analytics studies their effect.
 */
@ApiTags('campaigns')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('marketing', 'management', 'analytics')
@Controller('campaigns')
export class CampaignStatisticsController {
  constructor(private readonly queries: CampaignStatisticsQueries) {}

  @Get(':id/statistics')
  @ApiOperation({ summary: 'Audience, suppressed (and why), sent, delivered, bounced, opened, clicked, responded, converted, revenue, cost, ROI and uplift' })
  @ApiOkResponse({
    description: 'Counts per campaign, step and variant (variants are drawn per step); money in integer minor units of `currency`',
    schema: {
      type: 'object',
      properties: {
        campaignId: { type: 'string', format: 'uuid' },
        name: { type: 'string' },
        currency: { type: 'string' },
        startedAt: { type: 'string', format: 'date-time', nullable: true },
        closedAt: { type: 'string', format: 'date-time', nullable: true },
        attributionWindowDays: count,
        conversionsInOtherCurrencies: count,
        confidence: { type: 'number', enum: [0.9, 0.95, 0.99] },
        audience: { ...count, description: 'Everyone frozen in the audience, control group included' },
        funnel,
        byStep: { type: 'array', items: { type: 'object', properties: { stepId: { type: 'string' }, funnel, byVariant: { type: 'array', items: variant } } } },
        control: { type: 'object', properties: group, description: 'The hold-out group: messaged on no step; absent without one' },
        treated: { type: 'object', properties: { ...group, uplift, pValue: { type: 'number' }, incrementalRevenue: count } },
        revenue: count,
        cost: count,
        roi: { type: 'number', description: '(revenue − cost) / cost; absent without cost' },
        incrementalRoi: { type: 'number', description: '(incremental revenue − cost) / cost' },
      },
      example: EXAMPLE,
    },
  })
  @ApiProblem(400, 'A bad id or confidence', { errors: [{ field: 'confidence', message: 'confidence must be one of the following values: 0.9, 0.95, 0.99' }] })
  @StaffRouteErrors({ forbidden: 'Not staff of marketing, management or analytics (a partner, sales, service)', notFound: 'No such campaign' })
  statistics(@UuidParam('id') id: string, @Query() q: CampaignStatisticsQueryDto): Promise<CampaignStatisticsView> {
    return this.queries.statistics(id, Number(q.confidence ?? '0.95') as ConfidenceLevel);
  }
}
