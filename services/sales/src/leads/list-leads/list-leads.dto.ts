import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsInstant } from '@crm/contracts';
import { LEAD_SOURCES } from '@crm/relationship';
import { LEAD_SORTS } from '@crm/relationship-read-models';

export const LEAD_STATUSES = ['new', 'qualified', 'disqualified', 'converted'] as const;

const oneOrMore = (values: readonly string[]) => new RegExp(`^(${values.join('|')})(,(${values.join('|')}))*$`);

export class LeadListQueryDto {
  @ApiPropertyOptional({ description: 'Words to find in name, company and e-mail (each as a substring; case and accents ignored)', example: 'sinar' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
  @ApiPropertyOptional({ description: `One or more of ${LEAD_STATUSES.join(', ')}, comma-separated`, example: 'new,qualified' })
  @IsOptional()
  @Matches(oneOrMore(LEAD_STATUSES), { message: `status must be one or more of ${LEAD_STATUSES.join(', ')}, comma-separated` })
  status?: string;
  @ApiPropertyOptional({ description: `One or more of ${LEAD_SOURCES.join(', ')}, comma-separated`, example: 'web-form,import' })
  @IsOptional()
  @Matches(oneOrMore(LEAD_SOURCES), { message: `source must be one or more of ${LEAD_SOURCES.join(', ')}, comma-separated` })
  source?: string;
  @ApiPropertyOptional({ description: 'A staff user id' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) owner?: string;
  @ApiPropertyOptional({ description: 'true: only leads nobody owns yet' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  unassigned?: boolean;
  @ApiPropertyOptional({ description: 'Score at least (0–100)' }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(100) scoreMin?: number;
  @ApiPropertyOptional({ description: 'Score at most (0–100)' }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(100) scoreMax?: number;
  @ApiPropertyOptional({ description: 'Captured at or after', example: '2026-01-01T00:00:00Z' }) @IsOptional() @IsInstant() capturedFrom?: string;
  @ApiPropertyOptional({ description: 'Captured before', example: '2026-04-01T00:00:00Z' }) @IsOptional() @IsInstant() capturedTo?: string;
  @ApiPropertyOptional({ enum: LEAD_SORTS, description: 'Default captured-at (newest first); score highest first; name A–Z' })
  @IsOptional()
  @IsIn(LEAD_SORTS)
  sort?: (typeof LEAD_SORTS)[number];
  @ApiPropertyOptional({ default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page (same sort)' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;
}

export class LeadListItemDto {
  @ApiProperty() leadId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) company!: string | null;
  @ApiProperty({ nullable: true, type: String }) email!: string | null;
  @ApiProperty({ nullable: true, type: String }) phone!: string | null;
  @ApiProperty({ enum: LEAD_SOURCES }) source!: string;
  @ApiProperty({ enum: LEAD_STATUSES }) status!: string;
  @ApiProperty({ description: '0–100, as GET /leads/{id} computes it (for the moment of the first page)' }) score!: number;
  @ApiProperty({ nullable: true, type: String }) owner!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The assignment rule that chose the owner' }) assignedByRule!: string | null;
  @ApiProperty({ nullable: true, type: String }) country!: string | null;
  @ApiProperty({ nullable: true, type: String }) region!: string | null;
  @ApiProperty() capturedAt!: string;
  @ApiProperty({ nullable: true, type: String }) matchingCustomerId!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Once converted: the customer' }) customerId!: string | null;
}

export class LeadListPageDto {
  @ApiProperty({ type: [LeadListItemDto] }) items!: LeadListItemDto[];
  @ApiPropertyOptional({ description: 'Absent on the last page' }) nextCursor?: string;
}
