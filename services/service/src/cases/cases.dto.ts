import { ApiProperty, ApiPropertyOptional, IntersectionType, OmitType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { CHANNELS, type Channel } from '@crm/relationship';
import { OpenEpisodeDto } from '@crm/relationship-api';
import { CaseDetailsDto } from './work-case/work-case.dto';

/**
 * A case always records the channel it came in on (the call-centre's routing and statistics need it);
 * it may open with its working details (priority, severity, category, product, team), recorded in
 * the same append.
 */
export class OpenCaseDto extends IntersectionType(OmitType(OpenEpisodeDto, ['channel'] as const), CaseDetailsDto) {
  @ApiProperty({ enum: CHANNELS, description: 'The channel the case came in on' }) @IsIn(CHANNELS) channel!: Channel;
}

export const CASE_OUTCOMES = ['resolved', 'unresolved'] as const;
export type CaseOutcome = (typeof CASE_OUTCOMES)[number];

export class ResolveCaseDto {
  @ApiProperty({ enum: CASE_OUTCOMES }) @IsIn(CASE_OUTCOMES) outcome!: CaseOutcome;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) reason?: string;
}
