import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
} from 'class-validator';
import { IsInstant, NestedObjects } from '@crm/contracts';
import { CURRENCY_CODES, MAX_ORDER_LINES, ORDER_SOURCES, ORDER_STATUSES } from '@crm/relationship';

/** The largest amount of minor units (2^53 − 1). */
const MAX_MINOR = Number.MAX_SAFE_INTEGER;
const CURRENCY_MESSAGE = 'currency must be an ISO 4217 code in upper case, such as EUR or IDR';

/** `@NotWith('discountAmount')`: this property and the other one are not given together. */
function NotWith(other: string): PropertyDecorator {
  return ValidateBy({
    name: 'notWith',
    constraints: [other],
    validator: {
      validate: (_value, args) => (args?.object as Record<string, unknown> | undefined)?.[other] === undefined,
      defaultMessage: (args) => `${args?.property} and ${other} are not given together: a rate or an amount`,
    },
  });
}

export class OrderLineDto {
  @ApiProperty({ description: 'The product (an id of the catalogue, or the SKU)', example: 'VAN-L2' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  productId!: string;
  @ApiPropertyOptional({ example: 'Delivery van, long wheelbase' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) productName?: string;
  @ApiProperty({ minimum: 1, example: 2 }) @IsInt() @Min(1) @Max(1_000_000_000) quantity!: number;
  @ApiProperty({ description: "Price of one unit in the currency's minor unit (cents, sen): 2500000 EUR is 25,000.00", minimum: 0, example: 2_500_000 })
  @IsInt()
  @Min(0)
  @Max(MAX_MINOR)
  unitPrice!: number;
  @ApiPropertyOptional({ description: 'Percent off the line (at most 2 decimals), or discountAmount', minimum: 0, maximum: 100, example: 10 })
  @IsOptional()
  @IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100)
  @NotWith('discountAmount')
  discountPercent?: number;
  @ApiPropertyOptional({ description: 'Minor units off the line, or discountPercent', minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_MINOR)
  discountAmount?: number;
  @ApiPropertyOptional({ description: 'Tax rate in percent on the discounted line (at most 2 decimals), or taxAmount', minimum: 0, maximum: 100, example: 11 })
  @IsOptional()
  @IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100)
  @NotWith('taxAmount')
  taxPercent?: number;
  @ApiPropertyOptional({ description: 'Tax in minor units, or taxPercent', minimum: 0 }) @IsOptional() @IsInt() @Min(0) @Max(MAX_MINOR) taxAmount?: number;
}

export class PlaceOrderDto {
  @ApiPropertyOptional({ description: 'Client-chosen id: a retried request is the same order (answered 200, nothing new)' })
  @IsOptional()
  @IsUUID()
  orderId?: string;
  @ApiProperty({ description: 'A registered customer (a merged one is written as its survivor)' }) @IsUUID() customerId!: string;
  @ApiPropertyOptional({ description: 'When the customer ordered (default now); a date alone is its UTC midnight; at most a day ahead', example: '2026-03-01' })
  @IsOptional()
  @IsInstant()
  orderDate?: string;
  @ApiProperty({ description: 'ISO 4217', example: 'EUR' }) @IsIn(CURRENCY_CODES, { message: CURRENCY_MESSAGE }) currency!: string;
  @ApiProperty({ type: [OrderLineDto], minItems: 1, maxItems: MAX_ORDER_LINES })
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ORDER_LINES)
  @NestedObjects(() => OrderLineDto)
  lines!: OrderLineDto[];
  @ApiPropertyOptional({ description: 'An open opportunity of the same customer: the order closes it as won, with its total' })
  @IsOptional()
  @IsUUID()
  opportunityId?: string;
  @ApiPropertyOptional({ description: 'The accepted quote: the order id is derived from it, so accepting it twice places one order' })
  @IsOptional()
  @IsUUID()
  quoteId?: string;
  @ApiPropertyOptional({ description: "The order's number in another system: the same number is the same order (also for imports)", example: 'SO-2026-0042' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  externalId?: string;
}

export class CancelOrderDto {
  @ApiPropertyOptional({ example: 'the customer ordered twice' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(500) reason?: string;
}

export class ReturnLineDto {
  @ApiProperty({ description: "The line's number in the order", example: '1' })
  @Matches(/^[1-9]\d{0,5}$/, { message: 'lineId must be a line number such as 1' })
  lineId!: string;
  @ApiProperty({ minimum: 1, example: 1 }) @IsInt() @Min(1) @Max(1_000_000_000) quantity!: number;
}

export class ReturnOrderDto {
  @ApiPropertyOptional({ description: 'Client-chosen id: a retried request is the same return' }) @IsOptional() @IsUUID() returnId?: string;
  @ApiPropertyOptional({ type: [ReturnLineDto], description: 'Absent: everything not returned yet (a full return)' })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ORDER_LINES)
  @NestedObjects(() => ReturnLineDto)
  lines?: ReturnLineDto[];
  @ApiPropertyOptional({ example: 'damaged in transport' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(500) reason?: string;
}

const oneOrMore = (values: readonly string[]) => new RegExp(`^(${values.join('|')})(,(${values.join('|')}))*$`);

export class OrderListQueryDto {
  @ApiPropertyOptional({ description: "A customer's orders (with those of customers merged into it)" }) @IsOptional() @IsUUID() customerId?: string;
  @ApiPropertyOptional({ description: 'Ordered at or after', example: '2026-01-01' }) @IsOptional() @IsInstant() from?: string;
  @ApiPropertyOptional({ description: 'Ordered before', example: '2026-04-01' }) @IsOptional() @IsInstant() to?: string;
  @ApiPropertyOptional({ description: `One or more of ${ORDER_STATUSES.join(', ')}, comma-separated`, example: 'placed,partially-returned' })
  @IsOptional()
  @Matches(oneOrMore(ORDER_STATUSES), { message: `status must be one or more of ${ORDER_STATUSES.join(', ')}, comma-separated` })
  status?: string;
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;
}

export class OrderImportQueryDto {
  @ApiPropertyOptional({ description: 'Client-chosen: watch GET /orders/imports/{importId} while the upload runs (a new one each time)' })
  @IsOptional()
  @IsUUID()
  importId?: string;
  @ApiPropertyOptional({ description: "The system the customers' external ids come from (their `external-id` identities carry it)", example: 'erp' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  system?: string;
  @ApiPropertyOptional({
    enum: ['person', 'organisation'],
    default: 'organisation',
    description: 'The kind of customer registered for an external id nobody holds',
  })
  @IsOptional()
  @IsIn(['person', 'organisation'])
  customerKind?: 'person' | 'organisation';
}

// Answers (OpenAPI schemas and examples).

export class OrderLineView {
  @ApiProperty({ example: '1' }) lineId!: string;
  @ApiProperty({ example: 'VAN-L2' }) productId!: string;
  @ApiPropertyOptional() productName?: string;
  @ApiProperty({ example: 2 }) quantity!: number;
  @ApiProperty({ description: 'Minor units', example: 2_500_000 }) unitPrice!: number;
  @ApiProperty({ description: 'quantity × unitPrice', example: 5_000_000 }) gross!: number;
  @ApiProperty({ example: 500_000 }) discount!: number;
  @ApiPropertyOptional({ description: 'Basis points (1000 = 10 %)', example: 1000 }) discountRate?: number;
  @ApiProperty({ example: 495_000 }) tax!: number;
  @ApiPropertyOptional({ description: 'Basis points (1100 = 11 %)', example: 1100 }) taxRate?: number;
  @ApiProperty({ description: 'gross − discount + tax', example: 4_995_000 }) total!: number;
}

class ReturnedLineView {
  @ApiProperty() lineId!: string;
  @ApiProperty() productId!: string;
  @ApiProperty() quantity!: number;
  @ApiProperty({ description: 'Minor units' }) amount!: number;
}

class OrderReturnView {
  @ApiProperty() returnId!: string;
  @ApiProperty() returnedAt!: string;
  @ApiProperty({ type: [ReturnedLineView] }) lines!: ReturnedLineView[];
  @ApiProperty({ description: 'Refunded by this return (minor units)' }) amount!: number;
  @ApiPropertyOptional() reason?: string;
}

export class OrderView {
  @ApiProperty({ format: 'uuid' }) orderId!: string;
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty({ enum: ORDER_STATUSES }) status!: string;
  @ApiProperty({ example: '2026-03-01T00:00:00.000Z' }) orderDate!: string;
  @ApiProperty() placedAt!: string;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ type: [OrderLineView] }) lines!: OrderLineView[];
  @ApiProperty({ description: 'Σ gross (minor units)', example: 5_000_000 }) subtotal!: number;
  @ApiProperty({ example: 500_000 }) discountTotal!: number;
  @ApiProperty({ example: 495_000 }) taxTotal!: number;
  @ApiPropertyOptional({ description: 'Imports: the recorded total minus the lines (may be negative)' }) adjustment?: number;
  @ApiProperty({ description: 'What the customer pays (minor units)', example: 4_995_000 }) total!: number;
  @ApiProperty({ enum: ORDER_SOURCES }) source!: string;
  @ApiPropertyOptional() externalId?: string;
  @ApiPropertyOptional() quoteId?: string;
  @ApiPropertyOptional() opportunityId?: string;
  @ApiProperty({ description: 'Units returned so far, by line id', example: { '1': 1 } }) returnedQuantities!: Record<string, number>;
  @ApiProperty({ description: 'Refunded so far (minor units)' }) refunded!: number;
  @ApiProperty({ type: [OrderReturnView] }) returns!: OrderReturnView[];
  @ApiPropertyOptional({ example: { cancelledAt: '2026-03-02T09:00:00.000Z', reason: 'ordered twice' } }) cancelled?: { cancelledAt: string; reason?: string };
}

export class PlacedOrderView {
  @ApiProperty({ format: 'uuid' }) orderId!: string;
  @ApiProperty({ enum: ORDER_STATUSES }) status!: string;
  @ApiProperty({ description: 'Minor units', example: 4_995_000 }) total!: number;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ description: 'False when the same order had been placed before (a retry): nothing new' }) created!: boolean;
  @ApiPropertyOptional({ description: 'The opportunity this order closed as won' }) closedOpportunity?: string;
}

export class OrderChangeView {
  @ApiProperty({ format: 'uuid' }) orderId!: string;
  @ApiProperty({ enum: ORDER_STATUSES }) status!: string;
  @ApiPropertyOptional({ description: 'A return: its id' }) returnId?: string;
  @ApiProperty({ description: 'What this cancellation or return takes back (minor units)' }) amount!: number;
  @ApiProperty() currency!: string;
}

export class OrderListItemView {
  @ApiProperty() orderId!: string;
  @ApiProperty() customerId!: string;
  @ApiProperty() orderDate!: string;
  @ApiProperty() placedAt!: string;
  @ApiProperty() currency!: string;
  @ApiProperty({ description: 'Minor units' }) total!: number;
  @ApiProperty({ description: 'Refunded so far (minor units)' }) refunded!: number;
  @ApiProperty({ enum: ORDER_STATUSES }) status!: string;
  @ApiProperty() lineCount!: number;
  @ApiProperty({ enum: ORDER_SOURCES }) source!: string;
  @ApiProperty({ nullable: true, type: String }) externalId!: string | null;
  @ApiProperty({ nullable: true, type: String }) quoteId!: string | null;
  @ApiProperty({ nullable: true, type: String }) opportunityId!: string | null;
}

export class OrderListPageView {
  @ApiProperty({ type: [OrderListItemView] }) items!: OrderListItemView[];
  @ApiPropertyOptional({ description: 'Absent on the last page' }) nextCursor?: string;
}

class OrderImportCountsView {
  @ApiProperty({ description: 'Data lines read', example: 120_000 }) lines!: number;
  @ApiProperty({ description: 'Orders read', example: 80_000 }) orders!: number;
  @ApiProperty({ description: 'Orders placed by this import', example: 79_990 }) created!: number;
  @ApiProperty({ description: 'Orders imported before: nothing new', example: 0 }) existing!: number;
  @ApiProperty({ example: 10 }) failedOrders!: number;
  @ApiProperty({ description: 'Lines not imported (listed in errors)', example: 12 }) failedLines!: number;
  @ApiProperty({ description: 'Customers registered for external ids nobody held', example: 3_000 }) customersCreated!: number;
  @ApiProperty({ description: 'Bytes of the upload read so far', example: 7_340_032 }) bytesRead!: number;
}

class ImportLineErrorView {
  @ApiProperty({ example: 7 }) line!: number;
  @ApiProperty({ example: 'amount' }) field!: string;
  @ApiProperty({ example: 'amount must be a decimal number such as 1234.50' }) reason!: string;
}

export class OrderImportView {
  @ApiProperty({ format: 'uuid' }) importId!: string;
  @ApiProperty({
    enum: ['running', 'interrupted', 'completed', 'refused', 'failed'],
    description: 'interrupted: running, but nothing recorded for 10 minutes (its process most likely stopped; import the file again)',
  })
  status!: string;
  @ApiProperty() startedBy!: string;
  @ApiProperty() startedAt!: string;
  @ApiProperty({ description: 'When the counts were last recorded (every 1,000 lines while running)' }) updatedAt!: string;
  @ApiPropertyOptional() finishedAt?: string;
  @ApiPropertyOptional() system?: string;
  @ApiProperty({ type: OrderImportCountsView }) counts!: OrderImportCountsView;
  @ApiProperty({ type: [ImportLineErrorView], description: 'The first 1,000 lines not imported, in file order' }) errors!: ImportLineErrorView[];
  @ApiPropertyOptional({ description: 'Why it was refused or failed' }) detail?: string;
}
