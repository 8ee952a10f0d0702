import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { CustomerIdParam } from '@crm/relationship-api';
import { RequireKind } from '@crm/service-kit';
import { GetCustomerMetricsHandler, type CustomerMetricsView } from './get-customer-metrics.query';
import { CUSTOMER_METRICS_EXAMPLE, CustomerMetricsDto } from './get-customer-metrics.responses';

export class CustomerMetricsQueryDto {
  @ApiPropertyOptional({ description: 'Frequency and monetary over the last N days; the whole relationship when omitted' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(36500)
  periodDays?: number;
}

/** Per-customer metrics for staff of every department (analytical CRM serves them all). */
@ApiTags('metrics')
@ApiBearerAuth()
@RequireKind('staff')
@Controller('customers')
export class CustomerMetricsController {
  constructor(private readonly getMetrics: GetCustomerMetricsHandler) {}

  @Get(':id/metrics')
  @ApiOkResponse({ type: CustomerMetricsDto, description: 'Interactions by channel and by department, and the RFM inputs', example: CUSTOMER_METRICS_EXAMPLE })
  metrics(@Param() { id }: CustomerIdParam, @Query() q: CustomerMetricsQueryDto): Promise<CustomerMetricsView> {
    return this.getMetrics.handle(id, q.periodDays);
  }
}
