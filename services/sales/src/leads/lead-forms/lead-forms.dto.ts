import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { NestedObject } from '@crm/contracts';
import { LEAD_SOURCES, MAX_LEAD_FORM_REQUESTS, MAX_LEAD_FORM_WINDOW_SECONDS } from '@crm/relationship';
import { COUNTRY, COUNTRY_MESSAGE, REGION, REGION_MESSAGE } from '../leads.dto';

export class LeadFormRateLimitDto {
  @ApiProperty({ description: 'Leads the form may post per window', example: 30 }) @IsInt() @Min(1) @Max(MAX_LEAD_FORM_REQUESTS) requests!: number;
  @ApiProperty({ description: 'Window length in seconds (fixed windows)', example: 60 })
  @IsInt()
  @Min(1)
  @Max(MAX_LEAD_FORM_WINDOW_SECONDS)
  windowSeconds!: number;
}

export class CreateLeadFormDto {
  @ApiProperty({ example: 'Contact us (www)' }) @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @ApiPropertyOptional({ enum: LEAD_SOURCES, default: 'web-form', description: 'The source its leads are captured with' })
  @IsOptional()
  @IsIn(LEAD_SOURCES)
  source?: (typeof LEAD_SOURCES)[number];
  @ApiPropertyOptional({ type: LeadFormRateLimitDto, description: 'Default 30 leads a minute' })
  @IsOptional()
  @NestedObject(() => LeadFormRateLimitDto)
  rateLimit?: LeadFormRateLimitDto;
}

export class LeadFormIdParam {
  @ApiProperty() @IsUUID() id!: string;
}

export class FormIdParam {
  @ApiProperty() @IsUUID() formId!: string;
}

/** What a web form posts: the person, and what they need. No staff fields (owner, status, BANT beyond the need). */
export class WebFormLeadDto {
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) company?: string;
  @ApiPropertyOptional() @IsOptional() @IsEmail() @MaxLength(320) email?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @IsNotEmpty() @MaxLength(40) phone?: string;
  @ApiPropertyOptional({ description: 'What they are looking for' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(1000) need?: string;
  @ApiPropertyOptional({ example: 'ID' }) @IsOptional() @Matches(COUNTRY, { message: COUNTRY_MESSAGE }) country?: string;
  @ApiPropertyOptional({ example: 'java-west' }) @IsOptional() @Matches(REGION, { message: REGION_MESSAGE }) region?: string;
  @ApiPropertyOptional({ description: "The submission's id on the web site: posting it again is the same lead" })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  submissionId?: string;
  @ApiPropertyOptional({
    description: 'Honeypot: leave it out. A form post that fills it is answered as usual and records nothing (a bot filled a hidden field)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  website?: string;
}
