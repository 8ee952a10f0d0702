import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { NestedObject, NestedObjects } from '@crm/contracts';
import { LEAD_SOURCES, MAX_ASSIGNMENT_RULES } from '@crm/relationship';
import { COUNTRY, COUNTRY_MESSAGE, REGION, REGION_MESSAGE } from '../leads.dto';

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

export class LeadMatchDto {
  @ApiPropertyOptional({ type: [String], description: 'ISO 3166-1 alpha-2 codes', example: ['ID', 'SG'] })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(250)
  @Matches(COUNTRY, { each: true, message: COUNTRY_MESSAGE })
  countries?: string[];
  @ApiPropertyOptional({ type: [String], example: ['java-west'] })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(250)
  @Matches(REGION, { each: true, message: REGION_MESSAGE })
  regions?: string[];
  @ApiPropertyOptional({ type: [String], description: "The lead's e-mail domain (a subdomain matches too)", example: ['sinar.example'] })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(250)
  @Matches(DOMAIN, { each: true, message: 'each e-mail domain must be a domain name (e.g. sinar.example)' })
  emailDomains?: string[];
  @ApiPropertyOptional({ enum: LEAD_SOURCES, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @IsIn(LEAD_SOURCES, { each: true })
  sources?: (typeof LEAD_SOURCES)[number][];
}

export class LeadAssignmentRuleDto {
  @ApiProperty({ description: 'Names the rule in every assignment it makes', example: 'java-territory' })
  @Matches(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: 'ruleId must be 1 to 63 lower-case letters, digits or dashes' })
  ruleId!: string;
  @ApiPropertyOptional({ type: LeadMatchDto, description: 'All stated conditions must hold; none: every lead' })
  @IsOptional()
  @NestedObject(() => LeadMatchDto)
  match?: LeadMatchDto;
  @ApiPropertyOptional({ description: 'Territory: the staff user who gets every lead the rule matches (or give a team)' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  owner?: string;
  @ApiPropertyOptional({ type: [String], description: 'Round robin: staff users who get the matching leads in turn (or give an owner)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(200, { each: true })
  team?: string[];
}

export class ReplaceLeadAssignmentRulesDto {
  @ApiProperty({ type: [LeadAssignmentRuleDto], description: 'In order: the first rule a lead matches assigns it; [] turns automatic assignment off' })
  @NestedObjects(() => LeadAssignmentRuleDto)
  @ArrayMaxSize(MAX_ASSIGNMENT_RULES)
  rules!: LeadAssignmentRuleDto[];
}
