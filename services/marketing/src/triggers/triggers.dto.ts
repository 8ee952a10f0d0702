import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { IsCurrencyCode, IsInstant, NestedObject } from '@crm/contracts';
import { CASE_PRIORITIES, CUSTOMER_VALUE_TIERS, SLUG_ID, TRIGGER_ORDER_SOURCES } from '@crm/kernel';
import { ANNIVERSARY_OF, DURATION_UNITS, SKIP_REASONS, TRIGGER_ON, type AnniversaryOf, type DurationUnit, type TriggerOn } from '@crm/marketing-triggers';

// What the routes accept is what the trigger contracts (libs/ports/contracts/src/trigger-events.ts) accept.
const CURSOR = /^[A-Za-z0-9_-]+$/;
const CURSOR_MESSAGE = 'cursor must be the nextCursor of a previous page';
const MAX_MINOR_UNITS = Number.MAX_SAFE_INTEGER;

export class TriggerDurationDto {
  @ApiProperty({ minimum: 1, example: 2 }) @IsInt() @Min(1) @Max(5_256_000) amount!: number;
  @ApiProperty({ enum: DURATION_UNITS }) @IsIn(DURATION_UNITS) unit!: DurationUnit;
}

export class OrderTotalConditionDto {
  @ApiPropertyOptional({ description: 'At least (integer minor units)', example: 10000 }) @IsOptional() @IsInt() @Min(0) @Max(MAX_MINOR_UNITS) min?: number;
  @ApiPropertyOptional({ description: 'At most (integer minor units)' }) @IsOptional() @IsInt() @Min(0) @Max(MAX_MINOR_UNITS) max?: number;
  @ApiProperty({ description: 'ISO 4217; an order in another currency does not match', example: 'EUR' }) @IsCurrencyCode() currency!: string;
}

export class TriggerConditionsDto {
  @ApiPropertyOptional({ type: OrderTotalConditionDto, description: 'order-placed: the order total' })
  @IsOptional()
  @NestedObject(() => OrderTotalConditionDto)
  orderTotal?: OrderTotalConditionDto;
  @ApiPropertyOptional({ type: [String], description: 'order-placed: at least one line of one of these products' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(200, { each: true })
  products?: string[];
  @ApiPropertyOptional({
    enum: TRIGGER_ORDER_SOURCES,
    isArray: true,
    description: 'order-placed: where the order came from (absent: every source, sell-through reported by distributors included)',
    example: ['api', 'quote'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @IsIn(TRIGGER_ORDER_SOURCES, { each: true })
  orderSources?: string[];
  @ApiPropertyOptional({ enum: CUSTOMER_VALUE_TIERS, isArray: true, description: 'the customer’s value tier when the event happened' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @IsIn(CUSTOMER_VALUE_TIERS, { each: true })
  valueTiers?: string[];
  @ApiPropertyOptional({ type: [String], description: 'complaint-opened, case-closed: the case category (slugs)', example: ['complaint-delivery'] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @Matches(SLUG_ID, { each: true })
  caseCategories?: string[];
  @ApiPropertyOptional({ enum: CASE_PRIORITIES, isArray: true, description: 'complaint-opened, case-closed: the case priority' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @IsIn(CASE_PRIORITIES, { each: true })
  casePriorities?: string[];
  @ApiPropertyOptional({ description: 'segment-entered: the segment' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  segmentId?: string;
}

export class FrequencyCapDto {
  @ApiProperty({ minimum: 1, maximum: 1000, example: 2 }) @IsInt() @Min(1) @Max(1000) firings!: number;
  @ApiProperty({ minimum: 1, maximum: 3650, example: 30 }) @IsInt() @Min(1) @Max(3650) days!: number;
}

export class TriggerActionDto {
  @ApiProperty({ description: 'The campaign whose offer the firing asks for', example: 'thank-you' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  campaignId!: string;
  @ApiPropertyOptional({ description: 'Its step' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  stepId?: string;
}

/** A rule's whole definition (PUT replaces it). */
export class TriggerRuleDefinitionDto {
  @ApiProperty({ example: 'Thank big spenders' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;
  @ApiProperty({ enum: TRIGGER_ON, description: 'What it reacts to (fixed once defined)' }) @IsIn(TRIGGER_ON) on!: TriggerOn;
  @ApiProperty({ type: TriggerConditionsDto, description: 'All given must hold; each fits only some triggers' })
  @NestedObject(() => TriggerConditionsDto)
  conditions!: TriggerConditionsDto;
  @ApiPropertyOptional({ type: TriggerDurationDto, description: 'Fire this long after the event (a timer: its date)' })
  @IsOptional()
  @NestedObject(() => TriggerDurationDto)
  delay?: TriggerDurationDto;
  @ApiPropertyOptional({ type: TriggerDurationDto, description: 'Per customer, at most one firing of this rule in this span' })
  @IsOptional()
  @NestedObject(() => TriggerDurationDto)
  cooldown?: TriggerDurationDto;
  @ApiPropertyOptional({ type: FrequencyCapDto, description: 'Per customer across every rule: not when `firings` or more fired in the last `days`' })
  @IsOptional()
  @NestedObject(() => FrequencyCapDto)
  frequencyCap?: FrequencyCapDto;
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsInstant() activeFrom?: string;
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsInstant() activeUntil?: string;
  @ApiPropertyOptional({ description: 'lapse: days without an order after the last one', minimum: 1, maximum: 3650 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  lapseDays?: number;
  @ApiPropertyOptional({ enum: ANNIVERSARY_OF, description: 'anniversary: of what, yearly' }) @IsOptional() @IsIn(ANNIVERSARY_OF) anniversaryOf?: AnniversaryOf;
  @ApiProperty({ type: TriggerActionDto }) @NestedObject(() => TriggerActionDto) action!: TriggerActionDto;
}

export class DefineTriggerRuleDto extends TriggerRuleDefinitionDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Client-chosen: a retry with the same definition creates nothing new' })
  @IsOptional()
  @IsUUID()
  ruleId?: string;
}

export class TriggerRuleDto extends TriggerRuleDefinitionDto {
  @ApiProperty({ format: 'uuid' }) declare ruleId: string;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ description: 'The rule stream’s revision (also the ETag)', example: '0' }) revision!: string;
  @ApiProperty({ format: 'date-time' }) definedAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

class TriggerRuleListItemDto {
  @ApiProperty({ format: 'uuid' }) ruleId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: TRIGGER_ON }) on!: string;
  @ApiProperty() enabled!: boolean;
  @ApiProperty() revision!: string;
  @ApiProperty({ format: 'date-time' }) definedAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class TriggerRuleListDto {
  @ApiProperty({ type: [TriggerRuleListItemDto] }) items!: TriggerRuleListItemDto[];
  @ApiPropertyOptional() nextCursor?: string;
}

const boolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class TriggerRuleListQueryDto {
  @ApiPropertyOptional({ enum: TRIGGER_ON }) @IsOptional() @IsIn(TRIGGER_ON) on?: string;
  @ApiPropertyOptional({ description: 'true: only enabled rules; false: only disabled' }) @IsOptional() @Transform(boolean) @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional({ default: 50, maximum: 200 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(CURSOR, { message: CURSOR_MESSAGE })
  cursor?: string;
}

export const FIRING_OUTCOMES = ['scheduled', 'fired', 'skipped'] as const;

export class TriggerFiringListQueryDto {
  @ApiPropertyOptional({ enum: FIRING_OUTCOMES }) @IsOptional() @IsIn(FIRING_OUTCOMES) outcome?: string;
  @ApiPropertyOptional({ default: 50, maximum: 200 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(CURSOR, { message: CURSOR_MESSAGE })
  cursor?: string;
}

class TriggerCauseDto {
  @ApiProperty({ format: 'uuid', description: 'The causing event' }) eventId!: string;
  @ApiProperty({ example: 'OrderPlaced' }) type!: string;
  @ApiPropertyOptional({ description: 'Its position in the store’s one order', example: '1042/1042' }) position?: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

class ConditionCheckDto {
  @ApiProperty({ example: 'orderTotal' }) condition!: string;
  @ApiProperty({ example: '≥ 10000 EUR' }) expected!: string;
  @ApiProperty({ example: '12500 EUR' }) actual!: string;
  @ApiProperty() held!: boolean;
}

class TriggerWhyDto {
  @ApiProperty({ type: [ConditionCheckDto] }) conditions!: ConditionCheckDto[];
  @ApiProperty() delayMinutes!: number;
  @ApiPropertyOptional({ description: '{ minutes, lastFiredAt?, until? }: the cooldown as it stood', type: Object }) cooldown?: object;
  @ApiPropertyOptional({ description: '{ firings, days, firedInWindow }: the frequency cap as it stood', type: Object }) cap?: object;
}

class TriggerOfferMessageDto {
  @ApiProperty({ format: 'uuid' }) messageId!: string;
  @ApiProperty({ example: 'thanks' }) stepId!: string;
  @ApiProperty({ enum: ['email', 'sms', 'phone', 'mail'] }) channel!: string;
  @ApiProperty({ enum: ['sent', 'suppressed', 'bounced', 'deferred'], description: 'Its last state' }) status!: string;
  @ApiPropertyOptional({ description: 'suppressed: why (`no-consent`, `frequency-cap`, …); bounced: the kind; deferred: the reason', example: 'no-consent' })
  reason?: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

class TriggerOfferDto {
  @ApiProperty({ example: 'thank-you' }) campaignId!: string;
  @ApiProperty({ enum: ['admitted', 'skipped'], description: 'What the campaign did with the firing' }) status!: string;
  @ApiPropertyOptional({
    enum: ['campaign-unknown', 'campaign-not-triggered', 'campaign-not-running', 'step-unknown'],
    description: 'skipped: why',
  })
  reason?: string;
  @ApiPropertyOptional({ enum: [true], description: 'admitted into the hold-out group: nothing is sent' }) control?: boolean;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: [TriggerOfferMessageDto], description: 'The messages it led to, each in its last state' }) messages!: TriggerOfferMessageDto[];
}

export class TriggerFiringDto {
  @ApiProperty({ format: 'uuid', description: 'The event that recorded it' }) eventId!: string;
  @ApiProperty({ enum: FIRING_OUTCOMES }) outcome!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty({ format: 'uuid' }) ruleId!: string;
  @ApiProperty({ description: 'The rule stream’s revision it was decided on' }) ruleRevision!: number;
  @ApiProperty({ enum: TRIGGER_ON }) on!: string;
  @ApiProperty({ format: 'uuid' }) timerId!: string;
  @ApiProperty({ type: TriggerCauseDto }) cause!: TriggerCauseDto;
  @ApiPropertyOptional({ enum: SKIP_REASONS, description: 'skipped: why' }) reason?: string;
  @ApiPropertyOptional({ type: TriggerWhyDto, description: 'fired, skipped: the conditions and their values, the delay, cooldown and cap' })
  why?: TriggerWhyDto;
  @ApiPropertyOptional({ type: TriggerActionDto, description: 'fired: the offer asked for' }) action?: TriggerActionDto;
  @ApiPropertyOptional({
    type: TriggerOfferDto,
    description: 'fired with an offer: what its campaign did with it and what became of each message (absent until the campaign decided)',
    example: {
      campaignId: 'thank-you',
      status: 'admitted',
      at: '2026-03-01T09:05:00.000Z',
      messages: [{ messageId: '3f1c0d0e-9b1a-5c2e-8f4d-6a7b8c9d0e1f', stepId: 'thanks', channel: 'email', status: 'sent', at: '2026-03-01T09:05:01.000Z' }],
    },
  })
  offer?: TriggerOfferDto;
  @ApiProperty({ format: 'date-time' }) dueAt!: string;
}

export class TriggerFiringListDto {
  @ApiProperty({ type: [TriggerFiringDto] }) items!: TriggerFiringDto[];
  @ApiPropertyOptional() nextCursor?: string;
}
