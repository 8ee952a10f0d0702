import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { NestedObjects } from '@crm/contracts';
import { MAX_ROUTING_RULES } from '@crm/case-routing';
import { SLUG_ID } from '@crm/kernel';
import { AGENT_ID, AGENT_ID_MESSAGE } from '../agents/agents.dto';

export class RequiredSkillDto {
  @ApiProperty({ example: 'billing' }) @Matches(SLUG_ID, { message: 'skill must be lower-case letters, digits and dashes' }) skill!: string;
  @ApiProperty({ minimum: 1, maximum: 5, example: 3 }) @IsInt() @Min(1) @Max(5) minLevel!: number;
}

export class RoutingRuleDto {
  @ApiProperty({ description: 'A case category', example: 'billing' })
  @Matches(SLUG_ID, { message: 'category must be lower-case letters, digits and dashes' })
  category!: string;
  @ApiProperty({ type: [RequiredSkillDto], description: 'Every one is needed, at least at its level' })
  @NestedObjects(() => RequiredSkillDto)
  @ArrayMaxSize(20)
  skills!: RequiredSkillDto[];
}

export class ReplaceRoutingRulesDto {
  @ApiProperty({ type: [RoutingRuleDto], description: 'The whole list; a category without a rule needs no skill' })
  @NestedObjects(() => RoutingRuleDto)
  @ArrayMaxSize(MAX_ROUTING_RULES)
  rules!: RoutingRuleDto[];
}

export class RoutingRulesDto extends ReplaceRoutingRulesDto {
  @ApiPropertyOptional({ example: 'lena' }) replacedBy?: string;
  @ApiPropertyOptional({ example: '2026-03-01T09:00:00.000Z' }) replacedAt?: string;
}

export class OfferIdParam {
  @ApiProperty({ format: 'uuid' })
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { message: 'offerId must be a UUID' })
  offerId!: string;
}

export class DeclineOfferDto {
  @ApiPropertyOptional({ example: 'about to go on a break' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(500) reason?: string;
}

export class OffersQueryDto {
  @ApiPropertyOptional({ description: "`me` (default) or an agent id (someone else's: team leads only)", example: 'me' })
  @IsOptional()
  @Matches(AGENT_ID, { message: AGENT_ID_MESSAGE })
  agentId?: string;
}

export class OfferDto {
  @ApiProperty({ format: 'uuid' }) offerId!: string;
  @ApiProperty({ format: 'uuid' }) episodeId!: string;
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty({ example: 'dewi' }) agentId!: string;
  @ApiProperty({ example: 58.08 }) priority!: number;
  @ApiProperty({
    example:
      'skills billing≥3 (has 4); least loaded 0/4; idle since 2026-03-01T09:00:00.000Z; priority 40.08: platinum 40 + SLA unknown 0 + minor 0 + normal priority 0 + waited 5 min 0.08',
  })
  reason!: string;
  @ApiProperty() offeredAt!: string;
  @ApiProperty() expiresAt!: string;
  @ApiProperty({ enum: ['pending', 'accepted', 'declined', 'expired'] }) status!: string;
}

export class OfferListDto {
  @ApiProperty({ type: [OfferDto] }) items!: OfferDto[];
}

export class OfferAnsweredDto {
  @ApiProperty({ format: 'uuid' }) offerId!: string;
  @ApiProperty({ format: 'uuid' }) episodeId!: string;
  @ApiProperty({ enum: ['accepted', 'declined'] }) status!: string;
}

export class PriorityPartsDto {
  @ApiProperty({ enum: ['platinum', 'gold', 'silver', 'bronze'] }) tier!: string;
  @ApiProperty({ enum: ['analytics', 'default'], description: 'default: analytics has not scored the customer' }) tierSource!: string;
  @ApiProperty({ example: 40 }) tierPoints!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Minutes to the nearest SLA due time; null: unknown' }) slaMinutesLeft!: number | null;
  @ApiProperty({ example: 0 }) slaPoints!: number;
  @ApiProperty({ enum: ['minor', 'major', 'critical'] }) severity!: string;
  @ApiProperty({ example: 0 }) severityPoints!: number;
  @ApiProperty({ enum: ['low', 'normal', 'high', 'urgent'], description: "The case's own priority (normal unless changed)" }) casePriority!: string;
  @ApiProperty({ example: 0, description: 'urgent 20, high 10, normal 0, low -5' }) casePriorityPoints!: number;
  @ApiProperty({ example: 5 }) waitingMinutes!: number;
  @ApiProperty({ example: 0.0769 }) waitingPoints!: number;
}

export class QueuedCaseDto {
  @ApiProperty({ example: 1 }) position!: number;
  @ApiProperty({ format: 'uuid' }) episodeId!: string;
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty({ nullable: true, type: String }) team!: string | null;
  @ApiProperty({ nullable: true, type: String }) category!: string | null;
  @ApiProperty({ example: 40.0769 }) priority!: number;
  @ApiProperty({ type: PriorityPartsDto }) parts!: PriorityPartsDto;
  @ApiProperty() waitingSince!: string;
  @ApiProperty({ description: 'An offer waits for its agent' }) offered!: boolean;
  @ApiProperty({ type: [String], description: 'Agents who declined it or let its offer expire' }) refusedBy!: string[];
}

export class QueueDto {
  @ApiProperty() at!: string;
  @ApiProperty({ type: [QueuedCaseDto] }) items!: QueuedCaseDto[];
}

export class QueueQueryDto {
  @ApiPropertyOptional({ example: 'billing' }) @IsOptional() @Matches(SLUG_ID, { message: 'team must be lower-case letters, digits and dashes' }) team?: string;
}
