import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { IsInstant } from '@crm/contracts';
import { PortalPageQueryDto } from '../portal/page-query.dto';

const EXAMPLE_ID = '0b7c4f0e-3b1a-4a8e-9f51-2f0c4d6a1e11';

/** The filters and paging both access log routes take (`customerId` narrows the partner's log, or names the customer asked about). */
export class AccessLogQueryDto extends PortalPageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', example: EXAMPLE_ID, description: 'Only the reads of this customer (read or probed)' })
  @IsOptional()
  @IsUUID()
  customerId?: string;
  @ApiPropertyOptional({ format: 'date-time', example: '2026-06-01T00:00:00Z', description: 'From this instant on (inclusive)' })
  @IsOptional()
  @IsInstant()
  from?: string;
  @ApiPropertyOptional({ format: 'date-time', example: '2026-07-01T00:00:00Z', description: 'Before this instant (exclusive); not before `from`' })
  @IsOptional()
  @IsInstant()
  to?: string;
}

export class AccessLogEntryDto {
  @ApiProperty({ format: 'date-time', example: '2026-06-01T09:00:00.000Z', description: 'When the read was answered (the service clock)' })
  at!: string;
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID }) partnerId!: string;
  @ApiProperty({ example: `${EXAMPLE_ID}.Xy7…`, description: 'The token subject: the client id the token was issued for' }) principal!: string;
  @ApiProperty({ nullable: true, type: String, example: null, description: 'The partner user who read (partner users are to come; null until then)' })
  partnerUser!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'uuid',
    example: EXAMPLE_ID,
    description: 'The customer read or probed; null when a refused read named none',
  })
  customerId!: string | null;
  @ApiProperty({ nullable: true, type: String, example: EXAMPLE_ID, description: 'The id in the path (customer or repair job); null for a list' })
  resourceId!: string | null;
  @ApiProperty({ example: 'GET /customers/{id}', description: 'Method and route pattern (never the raw URL)' }) route!: string;
  @ApiProperty({ example: 200, description: '200: read; 404: refused as not found (not shared, not assigned, unknown)' }) status!: number;
  @ApiProperty({ example: 'req-7f3a', description: 'X-Correlation-Id of the request (generated when none was sent)' }) correlationId!: string;
}

export class AccessLogPageDto {
  @ApiProperty({ type: [AccessLogEntryDto], description: 'Newest first' }) items!: AccessLogEntryDto[];
  @ApiPropertyOptional({ description: 'Absent on the last page' }) nextCursor?: string;
}
