import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { IsInstant, NestedObjects } from '@crm/contracts';
import { CURRENCY_CODES } from '@crm/relationship';
import { MAX_SELL_THROUGH_LINES } from './sell-through-reporting';
import { PortalPageQueryDto } from '../portal/page-query.dto';

const EXAMPLE_CUSTOMER = '0b7c4f0e-3b1a-4a8e-9f51-2f0c4d6a1e11';
const EXAMPLE_ORDER = '5d1e2f3a-4b5c-5d6e-8f70-8192a3b4c5d6';

/** One sold line. The lines of one customer and one externalId are one order (same orderDate and currency). */
export class SellThroughLineDto {
  @ApiProperty({ description: 'The end customer: a customer shared with you (any other is refused, as if unknown)', format: 'uuid', example: EXAMPLE_CUSTOMER })
  @IsUUID()
  customerId!: string;
  @ApiProperty({
    description: 'Your invoice (or invoice line) number: the same number reported again records nothing',
    maxLength: 200,
    example: 'INV-2026-0042',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  externalId!: string;
  @ApiProperty({ description: 'When the customer bought (ISO 8601 date or instant; at most a day ahead)', example: '2026-03-01' })
  @IsInstant()
  orderDate!: string;
  @ApiProperty({ description: 'The product (an id of the catalogue, or the SKU)', maxLength: 200, example: 'ROUTER-X2' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  productId!: string;
  @ApiPropertyOptional({ maxLength: 200, example: 'Router X2' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) productName?: string;
  @ApiProperty({ minimum: 1, maximum: 999_999_999, example: 2 }) @IsInt() @Min(1) @Max(999_999_999) quantity!: number;
  @ApiProperty({ description: "Price of one unit in the currency's minor unit (cents): 12500 EUR is 125.00", minimum: 0, example: 12_500 })
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  unitPrice!: number;
  @ApiProperty({ description: 'ISO 4217', example: 'EUR' })
  @IsIn(CURRENCY_CODES, { message: 'currency must be an ISO 4217 code in upper case, such as EUR' })
  currency!: string;
}

export class SellThroughReportDto {
  @ApiProperty({ type: [SellThroughLineDto], minItems: 1, maxItems: MAX_SELL_THROUGH_LINES })
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_SELL_THROUGH_LINES)
  @NestedObjects(() => SellThroughLineDto)
  lines!: SellThroughLineDto[];
}

export class SellThroughLineResultDto {
  @ApiProperty({ description: 'The line: its position in `lines` (from 1), or its line in the CSV file (1 is the header)', example: 1 }) line!: number;
  @ApiProperty({ enum: ['recorded', 'duplicate', 'refused'], description: 'duplicate: reported before, nothing recorded again' }) status!: string;
  @ApiPropertyOptional({ example: 'INV-2026-0042' }) externalId?: string;
  @ApiPropertyOptional({ format: 'uuid', example: EXAMPLE_CUSTOMER }) customerId?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'The purchase the line is part of (recorded or duplicate)', example: EXAMPLE_ORDER }) orderId?: string;
  @ApiPropertyOptional({ description: 'Refused: the field (CSV: the column) to fix', example: 'customerId' }) field?: string;
  @ApiPropertyOptional({ description: 'Refused: why', example: `customer ${EXAMPLE_CUSTOMER} is not shared with you` }) reason?: string;
  @ApiPropertyOptional({
    description: 'Refused: the rule (customer-not-shared, order-exists, order-lines-differ, order-date-in-future, invalid-line, …)',
    example: 'customer-not-shared',
  })
  code?: string;
}

export class SellThroughResultDto {
  @ApiProperty({ example: 1 }) recorded!: number;
  @ApiProperty({ example: 0 }) duplicate!: number;
  @ApiProperty({ example: 1 }) refused!: number;
  @ApiProperty({ type: [SellThroughLineResultDto], description: 'Every line, in line order' }) lines!: SellThroughLineResultDto[];
}

export class SellThroughQueryDto extends PortalPageQueryDto {
  @ApiPropertyOptional({ description: 'Order dates from (inclusive; ISO 8601)', example: '2026-01-01' }) @IsOptional() @IsInstant() from?: string;
  @ApiPropertyOptional({ description: 'Order dates before (exclusive; ISO 8601)', example: '2026-04-01' }) @IsOptional() @IsInstant() to?: string;
}

export class SellThroughSaleDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ORDER }) orderId!: string;
  @ApiProperty({ example: 'INV-2026-0042' }) externalId!: string;
  @ApiProperty({ format: 'uuid', example: EXAMPLE_CUSTOMER }) customerId!: string;
  @ApiProperty({ format: 'date-time', example: '2026-03-01T00:00:00.000Z' }) orderDate!: string;
  @ApiProperty({ format: 'date-time', description: 'When it was recorded', example: '2026-03-02T08:15:00.000Z' }) placedAt!: string;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ description: 'Minor units', example: 25_000 }) total!: number;
  @ApiProperty({ example: 1 }) lineCount!: number;
}

export class SellThroughPageDto {
  @ApiProperty({ type: [SellThroughSaleDto] }) items!: SellThroughSaleDto[];
  @ApiPropertyOptional({ description: 'Absent on the last page' }) nextCursor?: string;
}
