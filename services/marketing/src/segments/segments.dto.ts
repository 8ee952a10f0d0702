import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsInstant } from '@crm/contracts';

/** The rule language in the OpenAPI document: free JSON here, checked by `@crm/segments` (errors name the path). */
const RULE_DESCRIPTION =
  'A rule of the segment language (docs/marketing.md "Segments"): `all` / `any` / `not` over conditions kind, tags, owner, registered, journeyStage, relationshipPhase, valueTier, churnRisk, rfm, purchased, interactions, campaignResponse, consent; at most 10 deep and 100 conditions';
export const RULE_EXAMPLE = {
  all: [
    { valueTier: { in: ['platinum', 'gold'] } },
    { rfm: { r: { min: 4 }, f: { min: 3 } } },
    { purchased: { productId: 'VAN-L2', window: { lastDays: 90 } } },
    { consent: { channel: 'email', purpose: 'offers' } },
  ],
};

export class SegmentRuleBodyDto {
  @ApiProperty({ type: 'object', additionalProperties: true, description: RULE_DESCRIPTION, example: RULE_EXAMPLE })
  @IsObject()
  rule!: Record<string, unknown>;
}

export class SegmentBodyDto extends SegmentRuleBodyDto {
  @ApiProperty({ example: 'Gold van buyers with e-mail consent', maxLength: 200 }) @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @ApiPropertyOptional({ example: 'Bought a van in the last 90 days, recent and frequent', maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;
}

export class SegmentDto {
  @ApiProperty({ format: 'uuid' }) segmentId!: string;
  @ApiProperty() name!: string;
  @ApiPropertyOptional() description?: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: RULE_EXAMPLE }) rule!: Record<string, unknown>;
  @ApiProperty({ description: 'The rule’s revision: 1 when defined, +1 per revision', example: 1 }) segmentRevision!: number;
  @ApiProperty({ enum: ['active', 'archived'] }) status!: string;
  @ApiProperty() definedBy!: string;
  @ApiProperty({ format: 'date-time' }) definedAt!: string;
  @ApiProperty({ format: 'date-time' }) changedAt!: string;
  @ApiPropertyOptional({ format: 'date-time' }) archivedAt?: string;
  @ApiProperty({ description: 'The segment stream’s revision (also the ETag)', example: '0' }) revision!: string;
}

export class SegmentListItemDto {
  @ApiProperty({ format: 'uuid' }) segmentId!: string;
  @ApiProperty() name!: string;
  @ApiPropertyOptional() description?: string;
  @ApiProperty() segmentRevision!: number;
  @ApiProperty({ enum: ['active', 'archived'] }) status!: string;
  @ApiProperty() definedBy!: string;
  @ApiProperty({ format: 'date-time' }) definedAt!: string;
  @ApiProperty({ format: 'date-time' }) changedAt!: string;
  @ApiProperty({ description: 'Members now, as marketing’s read model shows them' }) members!: number;
}

export class SegmentListDto {
  @ApiProperty({ type: [SegmentListItemDto] }) items!: SegmentListItemDto[];
  @ApiProperty({ type: String, nullable: true, description: 'The cursor of the next page; null on the last' }) nextCursor!: string | null;
}

const CURSOR = /^[A-Za-z0-9_-]+$/;

export class SegmentListQueryDto {
  @ApiPropertyOptional({ enum: ['active', 'archived'] }) @IsOptional() @IsIn(['active', 'archived']) status?: 'active' | 'archived';
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(CURSOR, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;
}

export class SegmentMembersQueryDto {
  @ApiPropertyOptional({ description: 'The members at this instant (from the entered / left events); now when absent', example: '2026-05-01T00:00:00Z' })
  @IsOptional()
  @IsInstant()
  asOf?: string;
  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(CURSOR, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;
}

export class SegmentMemberDto {
  @ApiProperty() customerId!: string;
  @ApiProperty({ type: String, nullable: true }) name!: string | null;
  @ApiProperty({ format: 'date-time', description: 'When this stay in the segment began' }) since!: string;
  @ApiProperty({ description: 'The rule revision it entered by' }) segmentRevision!: number;
}

export class SegmentMembersDto {
  @ApiProperty() segmentId!: string;
  @ApiPropertyOptional({ format: 'date-time' }) asOf?: string;
  @ApiProperty({ type: [SegmentMemberDto] }) items!: SegmentMemberDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class CustomerSampleDto {
  @ApiProperty() customerId!: string;
  @ApiProperty() name!: string;
}

export class SegmentPreviewDto {
  @ApiProperty({ description: 'Customers the rule selects now' }) count!: number;
  @ApiProperty({ type: [CustomerSampleDto], description: 'The first 20 of them by customer id' }) sample!: CustomerSampleDto[];
  @ApiProperty({ format: 'date-time', description: 'The instant it was evaluated at' }) asOf!: string;
}
