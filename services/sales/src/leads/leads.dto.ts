import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength, Min } from 'class-validator';
import { IsInstant, NestedObject } from '@crm/contracts';
import { LEAD_SOURCES } from '@crm/relationship';

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
