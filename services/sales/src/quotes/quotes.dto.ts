import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayNotEmpty, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsCalendarDate, IsCurrencyCode, NestedObjects } from '@crm/contracts';
import { CHANNELS } from '@crm/relationship';
import { QUOTE_STATUSES } from '@crm/relationship-read-models';

export class QuoteLineDto {
  @ApiProperty({ format: 'uuid', example: '5d1e4c2a-8f3b-4e6d-9a7c-1b2c3d4e5f60' }) @IsUUID() productId!: string;
  @ApiProperty({ minimum: 1, example: 2 }) @IsInt() @Min(1) @Max(1_000_000) quantity!: number;
  @ApiPropertyOptional({
    description: 'Discount on the list amount in basis points (1250 = 12.5 %); above the approval threshold a manager must approve',
    example: 750,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000)
  discountBasisPoints?: number;
  @ApiPropertyOptional({ description: 'Tax on the net amount in basis points (1100 = 11 %)', example: 1100 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000)
  taxRateBasisPoints?: number;
}

class QuoteContentDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Default: the price book valid on the quote date in the currency' })
  @IsOptional()
  @IsUUID()
  priceBookId?: string;
  @ApiPropertyOptional({ description: 'The day prices are taken for; default today (UTC)', example: '2026-03-01' })
  @IsOptional()
  @IsCalendarDate()
  quoteDate?: string;
  @ApiPropertyOptional({ description: 'Last day the customer may accept it', example: '2026-03-31' }) @IsOptional() @IsCalendarDate() validUntil?: string;
  @ApiProperty({ type: [QuoteLineDto] }) @NestedObjects(() => QuoteLineDto) @ArrayNotEmpty() @ArrayMaxSize(500) lines!: QuoteLineDto[];
}

export class ReviseQuoteDto extends QuoteContentDto {
  @ApiPropertyOptional({ description: "ISO 4217; default: the current version's", example: 'EUR' }) @IsOptional() @IsCurrencyCode() currency?: string;
}

export class DraftQuoteDto extends QuoteContentDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Client-chosen id: a retried draft is idempotent' }) @IsOptional() @IsUUID() quoteId?: string;
  @ApiProperty({ format: 'uuid', description: 'The opportunity (an open one of the company)' }) @IsUUID() opportunityId!: string;
  @ApiProperty({ example: 'EUR', description: 'ISO 4217' }) @IsCurrencyCode() currency!: string;
}

export const APPROVAL_DECISIONS = ['approved', 'rejected'] as const;

export class QuoteApprovalDto {
  @ApiProperty({ enum: APPROVAL_DECISIONS }) @IsIn(APPROVAL_DECISIONS) decision!: (typeof APPROVAL_DECISIONS)[number];
  @ApiPropertyOptional({ description: 'The version judged; default the current one (an older one: 422 version-superseded)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
  @ApiPropertyOptional({ description: 'Why (required when rejected)', example: 'strategic account' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason?: string;
}

export class DeclineQuoteDto {
  @ApiProperty({ description: 'Why the customer said no (free text, sealed as personal data)', example: 'went with a competitor on price' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason!: string;
  @ApiPropertyOptional({ description: 'The version declined; default the current one (it must have been sent; an older one: 422 version-superseded)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

export class SendQuoteDto {
  @ApiPropertyOptional({ enum: CHANNELS, default: 'email', description: 'How it went to the customer (the interaction records it)' })
  @IsOptional()
  @IsIn(CHANNELS)
  channel?: (typeof CHANNELS)[number];
  @ApiPropertyOptional({ description: 'The version sent; default the current one' }) @IsOptional() @IsInt() @Min(1) version?: number;
}

export class AcceptQuoteDto {
  @ApiPropertyOptional({ description: 'The version the customer accepted; default the current one (it must have been sent)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

export class QuoteVersionQueryDto {
  @ApiPropertyOptional({ description: 'An older version, as it was; default the current one', example: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  version?: number;
}

const oneOrMore = (values: readonly string[]) => new RegExp(`^(${values.join('|')})(,(${values.join('|')}))*$`);

export class QuoteListQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'The quotes of this opportunity' }) @IsOptional() @IsUUID() opportunityId?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'The quotes of this customer' }) @IsOptional() @IsUUID() customerId?: string;
  @ApiPropertyOptional({ description: `One or more of ${QUOTE_STATUSES.join(', ')}, comma-separated`, example: 'sent,accepted' })
  @IsOptional()
  @Matches(oneOrMore(QUOTE_STATUSES), { message: `status must be one or more of ${QUOTE_STATUSES.join(', ')}, comma-separated` })
  status?: string;
  @ApiPropertyOptional({ default: 50, maximum: 200 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;
}

export class QuoteTotalsDto {
  @ApiProperty({ example: 5_000_000 }) listTotal!: number;
  @ApiProperty({ example: 375_000 }) discountTotal!: number;
  @ApiProperty({ example: 4_625_000 }) netTotal!: number;
  @ApiProperty({ example: 508_750 }) taxTotal!: number;
  @ApiProperty({ example: 5_133_750 }) grandTotal!: number;
}

export class QuoteLineViewDto {
  @ApiProperty() lineNo!: number;
  @ApiProperty() productId!: string;
  @ApiProperty() sku!: string;
  @ApiProperty() name!: string;
  @ApiProperty() kind!: string;
  @ApiProperty() quantity!: number;
  @ApiProperty({ description: 'Minor units' }) unitPrice!: number;
  @ApiProperty() listAmount!: number;
  @ApiProperty() discountBasisPoints!: number;
  @ApiProperty() discountAmount!: number;
  @ApiProperty() netAmount!: number;
  @ApiProperty() taxRateBasisPoints!: number;
  @ApiProperty() taxAmount!: number;
  @ApiProperty() totalAmount!: number;
}

export class QuoteVersionViewDto {
  @ApiProperty({ example: 1 }) version!: number;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty() priceBookId!: string;
  @ApiProperty({ example: '2026-03-01' }) quoteDate!: string;
  @ApiPropertyOptional({ example: '2026-03-31' }) validUntil?: string;
  @ApiProperty({ type: [QuoteLineViewDto] }) lines!: QuoteLineViewDto[];
  @ApiProperty({ type: QuoteTotalsDto }) totals!: QuoteTotalsDto;
  @ApiProperty({ enum: ['not-required', 'pending', 'approved', 'rejected'] }) approval!: string;
  @ApiProperty() preparedBy!: string;
  @ApiPropertyOptional() sentAt?: string;
  @ApiPropertyOptional({ description: 'When the customer declined this version' }) declinedAt?: string;
  @ApiPropertyOptional({ description: 'Why the customer declined it' }) declineReason?: string;
}

export class QuoteDto {
  @ApiProperty() quoteId!: string;
  @ApiProperty() opportunityId!: string;
  @ApiProperty() customerId!: string;
  @ApiProperty({ enum: ['draft', 'awaiting-approval', 'discount-rejected', 'sent', 'declined', 'accepted'] }) status!: string;
  @ApiProperty({ description: 'The newest version' }) currentVersion!: number;
  @ApiProperty({ type: QuoteVersionViewDto, description: 'The version asked for (default the current one)' }) version!: QuoteVersionViewDto;
  @ApiProperty({ type: [Number], description: 'Every version there is' }) versions!: number[];
}

export class QuoteListItemDto {
  @ApiProperty() quoteId!: string;
  @ApiProperty() opportunityId!: string;
  @ApiProperty() customerId!: string;
  @ApiProperty() version!: number;
  @ApiProperty({ enum: QUOTE_STATUSES }) status!: string;
  @ApiProperty() currency!: string;
  @ApiProperty({ description: 'Minor units' }) netTotal!: number;
  @ApiProperty({ description: 'Minor units' }) grandTotal!: number;
  @ApiProperty() quoteDate!: string;
  @ApiProperty({ nullable: true, type: String }) validUntil!: string | null;
  @ApiProperty() preparedBy!: string;
  @ApiProperty() draftedAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class QuoteListDto {
  @ApiProperty({ type: [QuoteListItemDto] }) items!: QuoteListItemDto[];
  @ApiPropertyOptional({ description: 'Absent on the last page' }) nextCursor?: string;
}

export class AcceptedQuoteDto {
  @ApiProperty() quoteId!: string;
  @ApiProperty() opportunityId!: string;
  @ApiProperty() customerId!: string;
  @ApiProperty() version!: number;
  @ApiProperty() currency!: string;
  @ApiProperty({ type: [QuoteLineViewDto] }) lines!: QuoteLineViewDto[];
  @ApiProperty({ type: QuoteTotalsDto }) totals!: QuoteTotalsDto;
  @ApiProperty() acceptedAt!: string;
  @ApiProperty({ description: 'The sales order this acceptance makes (the shape POST /orders takes from a quote)' }) salesOrder!: object;
}

export class ApprovalPolicyDto {
  @ApiProperty({ description: 'A version with a line discount above this (basis points) needs a manager; 1000 (10 %) until set', example: 1000 })
  @IsInt()
  @Min(0)
  @Max(10_000)
  discountThresholdBasisPoints!: number;
}
