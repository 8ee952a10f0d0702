import { ApiProperty } from '@nestjs/swagger';

const COUNTS = { type: 'object', additionalProperties: { type: 'integer', minimum: 0 } } as const;

export class CustomerInteractionCountsDto {
  @ApiProperty({ type: 'integer', minimum: 0 }) total!: number;
  @ApiProperty({
    ...COUNTS,
    description: 'Interactions per channel (phone, email, portal…); channels without any are left out',
    example: { phone: 2, email: 1 },
  })
  byChannel!: Record<string, number>;
  @ApiProperty({
    ...COUNTS,
    description: 'Interactions per department that recorded them; a partner’s as `partner:<partnerId>`',
    example: { sales: 2, service: 1 },
  })
  byDepartment!: Record<string, number>;
}

export class CustomerRfmInputsDto {
  @ApiProperty({ type: 'integer', minimum: 0, nullable: true, description: 'Whole days since the last purchase; null: none yet' }) recencyDays!: number | null;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Purchases (won deals) in the period' }) frequency!: number;
  @ApiProperty({ type: 'number', minimum: 0, description: 'The value of those purchases, as their events state it' }) monetary!: number;
  @ApiProperty({ type: 'integer', minimum: 1, nullable: true, description: 'The period in days, as asked; null: the whole relationship' }) periodDays!:
    number | null;
}

/** `GET /customers/{id}/metrics`: one customer's interaction counts and RFM inputs, as of now. */
export class CustomerMetricsDto {
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty({ type: CustomerInteractionCountsDto }) interactions!: CustomerInteractionCountsDto;
  @ApiProperty({ format: 'date-time', nullable: true, type: 'string' }) lastInteractionAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: 'string' }) lastPurchaseAt!: string | null;
  @ApiProperty({ type: CustomerRfmInputsDto }) rfm!: CustomerRfmInputsDto;
}

export const CUSTOMER_METRICS_EXAMPLE = {
  customerId: '3f0c1e2a-7b5d-4c8e-9a1f-2b3c4d5e6f70',
  interactions: {
    total: 4,
    byChannel: { phone: 2, email: 1, portal: 1 },
    byDepartment: { sales: 2, service: 1, 'partner:9b2f3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d': 1 },
  },
  lastInteractionAt: '2026-11-20T09:30:00.000Z',
  lastPurchaseAt: '2026-11-26T15:00:00.000Z',
  rfm: { recencyDays: 2, frequency: 2, monetary: 150.5, periodDays: null },
};
