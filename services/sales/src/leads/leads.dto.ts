import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength, Min } from 'class-validator';
import { IsInstant, NestedObject } from '@crm/contracts';
import { LEAD_SOURCES } from '@crm/relationship';

/** ISO 3166-1 alpha-2, either case. */
export const COUNTRY = /^[A-Za-z]{2}$/;
export const COUNTRY_MESSAGE = 'country must be an ISO 3166-1 alpha-2 code (e.g. ID)';
export const REGION = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,62}$/u;
export const REGION_MESSAGE = 'region must be 1 to 63 letters, digits, spaces, dots, dashes or underscores';

export class LeadQualificationDto {
  @ApiPropertyOptional({ description: 'What the prospect can spend, in minor units of currency' }) @IsOptional() @IsInt() @Min(0) budget?: number;
  @ApiPropertyOptional({ description: 'ISO 4217', example: 'IDR' })
  @IsOptional()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code' })
  currency?: string;
  @ApiPropertyOptional({ description: 'Can the person decide the purchase?' }) @IsOptional() @IsBoolean() authority?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @IsNotEmpty() @MaxLength(1000) need?: string;
  @ApiPropertyOptional({ description: 'When they mean to buy', example: '2026-06-30' }) @IsOptional() @IsInstant() timeline?: string;
}

export class CaptureLeadDto {
  @ApiPropertyOptional({ description: 'Client-chosen id (retries are idempotent); derived from source and externalId when that is given' })
  @IsOptional()
  @IsUUID()
  leadId?: string;
  @ApiProperty({ enum: LEAD_SOURCES }) @IsIn(LEAD_SOURCES) source!: (typeof LEAD_SOURCES)[number];
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) company?: string;
  @ApiPropertyOptional() @IsOptional() @IsEmail() email?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @IsNotEmpty() @MaxLength(40) phone?: string;
  @ApiPropertyOptional({ description: 'The id in the system it came from: the same id again is the same lead' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  externalId?: string;
  @ApiPropertyOptional({ type: LeadQualificationDto }) @IsOptional() @NestedObject(() => LeadQualificationDto) qualification?: LeadQualificationDto;
  @ApiPropertyOptional({ description: 'ISO 3166-1 alpha-2 (territory rules match on it)', example: 'ID' })
  @IsOptional()
  @Matches(COUNTRY, { message: COUNTRY_MESSAGE })
  country?: string;
  @ApiPropertyOptional({ description: 'A region of your territories (territory rules match on it)', example: 'java-west' })
  @IsOptional()
  @Matches(REGION, { message: REGION_MESSAGE })
  region?: string;
}

export class AssignLeadDto {
  @ApiProperty({ description: 'A staff user id' }) @IsString() @IsNotEmpty() @MaxLength(200) owner!: string;
}

export class DisqualifyLeadDto {
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(500) reason!: string;
}

export class ConvertLeadDto {
  @ApiPropertyOptional({ description: 'An existing customer to attach the lead to (e.g. its matchingCustomerId) instead of registering a new one' })
  @IsOptional()
  @IsUUID()
  attachTo?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) opportunityName?: string;
}

export class LeadIdParam {
  @ApiProperty() @IsUUID() id!: string;
}
