import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
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
  ValidateIf,
  ValidateBy,
  type ValidationArguments,
} from 'class-validator';
import { CAMPAIGN_STATUSES, MAX_LISTED_AUDIENCE, MERGE_FIELDS, type CampaignStatus } from '@crm/campaigns';
import { IsCurrencyCode, IsInstant, IsMinorUnits, NestedObject, NestedObjects } from '@crm/contracts';
import { CHANNELS, CONSENT_CHANNELS, SLUG_ID, type Channel, type ConsentChannel } from '@crm/kernel';

const FIELDS = MERGE_FIELDS.map((f) => `{{${f}}}`).join(', ');

export class CampaignTemplateDto {
  @ApiPropertyOptional({ description: `E-mail only, and required there. Merge fields: ${FIELDS}`, example: 'Spring offer for {{name}}' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(998)
  subject?: string;
  @ApiProperty({ description: `The plain-text body. Merge fields: ${FIELDS}`, example: 'Hello {{name}}, 20 % off this week. Unsubscribe: {{unsubscribeUrl}}' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100_000)
  text!: string;
  @ApiPropertyOptional({ description: 'E-mail only: the HTML body; merge fields are HTML-escaped', example: '<p>Hello {{name}}, 20 % off this week.</p>' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100_000)
  html?: string;
}

export class CampaignVariantDto {
  @ApiProperty({ description: 'A slug, unique in the step', example: 'a' }) @Matches(SLUG_ID) variantId!: string;
  @ApiProperty({ description: "Relative share of the step's recipients", minimum: 1, maximum: 100, example: 1 }) @IsInt() @Min(1) @Max(100) weight!: number;
  @ApiProperty({ type: CampaignTemplateDto }) @NestedObject(() => CampaignTemplateDto) template!: CampaignTemplateDto;
}

export class CampaignStepDto {
  @ApiProperty({ description: 'A slug, unique in the campaign', example: 'mail-1' }) @Matches(SLUG_ID) stepId!: string;
  @ApiProperty({ enum: CONSENT_CHANNELS }) @IsIn(CONSENT_CHANNELS) channel!: ConsentChannel;
  @ApiProperty({ description: 'Minutes after the start that the step is due', minimum: 0, maximum: 525_600, example: 0 })
  @IsInt()
  @Min(0)
  @Max(525_600)
  delayMinutes!: number;
  @ApiProperty({ type: [CampaignVariantDto], minItems: 1, maxItems: 4, description: 'A/B variants' })
  @NestedObjects(() => CampaignVariantDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(4)
  variants!: CampaignVariantDto[];
}

/** A field of one audience kind only: sent with another kind it is refused (400 naming it), not silently dropped. */
function OnlyForAudience(kind: CampaignAudienceDto['kind']): PropertyDecorator {
  return ValidateBy({
    name: 'onlyForAudience',
    validator: {
      validate: (_value: unknown, args?: ValidationArguments) => (args?.object as CampaignAudienceDto).kind === kind,
      defaultMessage: (args?: ValidationArguments) => `${args?.property} is only for an audience of kind ${kind}`,
    },
  });
}

export class CampaignAudienceDto {
  @ApiProperty({
    enum: ['segment', 'list', 'triggered'],
    description:
      'segment or list: frozen when the campaign starts; triggered: always-on, each customer a trigger rule naming the campaign fires for while it runs (issue 13 §4)',
  })
  @IsIn(['segment', 'list', 'triggered'])
  kind!: 'segment' | 'list' | 'triggered';
  @ApiPropertyOptional({ description: 'kind segment: the segment whose members at the start are the audience' })
  @ValidateIf((o: CampaignAudienceDto) => o.kind === 'segment' || o.segmentId !== undefined)
  @OnlyForAudience('segment')
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  segmentId?: string;
  @ApiPropertyOptional({ type: [String], format: 'uuid', maxItems: MAX_LISTED_AUDIENCE, description: 'kind list: the customers (each once)' })
  @ValidateIf((o: CampaignAudienceDto) => o.kind === 'list' || o.customerIds !== undefined)
  @OnlyForAudience('list')
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_LISTED_AUDIENCE)
  @ArrayUnique()
  @IsUUID(undefined, { each: true })
  customerIds?: string[];
}

export class CampaignCostDto {
  @ApiProperty({ description: 'Whole minor units (cents)', example: 3 }) @IsMinorUnits() amountMinor!: number;
  @ApiProperty({ example: 'EUR' }) @IsCurrencyCode() currency!: string;
}

/** What `PUT /campaigns/{id}` takes: the whole definition. */
export class CampaignDefinitionDto {
  @ApiProperty({ example: 'Spring offer' }) @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @ApiProperty({ description: 'The consent purpose every message is sent under (a slug)', example: 'offers' }) @Matches(SLUG_ID) purpose!: string;
  @ApiProperty({ type: CampaignAudienceDto }) @NestedObject(() => CampaignAudienceDto) audience!: CampaignAudienceDto;
  @ApiProperty({ type: [CampaignStepDto], minItems: 1, maxItems: 10 })
  @NestedObjects(() => CampaignStepDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  steps!: CampaignStepDto[];
  @ApiProperty({ description: 'Hold-out control group, basis points of the audience', minimum: 0, maximum: 5000, example: 1000 })
  @IsInt()
  @Min(0)
  @Max(5000)
  controlBasisPoints!: number;
  @ApiProperty({ description: 'Messages per second at most', minimum: 1, maximum: 1000, example: 50 }) @IsInt() @Min(1) @Max(1000) throttlePerSecond!: number;
  @ApiProperty({ description: 'Days after a message that an order counts as its conversion', minimum: 1, maximum: 365, example: 14 })
  @IsInt()
  @Min(1)
  @Max(365)
  attributionWindowDays!: number;
  @ApiProperty({ type: CampaignCostDto }) @NestedObject(() => CampaignCostDto) costPerMessage!: CampaignCostDto;
}

/** What `POST /campaigns` takes. */
export class DefineCampaignDto extends CampaignDefinitionDto {
  @ApiPropertyOptional({ description: 'Client-chosen id: a retried request defines the campaign once. Generated when omitted' })
  @IsOptional()
  @IsUUID()
  campaignId?: string;
}

export class ScheduleCampaignDto {
  @ApiProperty({ description: 'When it starts (in the future)', example: '2026-06-01T08:00:00Z' }) @IsInstant() startAt!: string;
}

export class CampaignReasonDto {
  @ApiPropertyOptional({ example: 'wrong price in variant b' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(2000) reason?: string;
}

export class CampaignListQueryDto {
  @ApiPropertyOptional({ enum: CAMPAIGN_STATUSES }) @IsOptional() @IsIn(CAMPAIGN_STATUSES) status?: CampaignStatus;
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ description: 'From the previous page' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(1000) cursor?: string;
}

export class CampaignMessagesQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
  @ApiPropertyOptional({ description: 'From the previous page' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(1000) cursor?: string;
}

export class CampaignIdParam {
  @ApiProperty() @IsUUID() campaignId!: string;
}

// ---- answers (OpenAPI schemas) ----

export class ConsentBasisDto {
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty({ description: 'Store position `<commit>/<prepare>`', example: '1042/9137' }) position!: string;
  @ApiProperty({ description: "Revision in the customer's consent stream", example: '0' }) revision!: string;
}

export class CampaignCountsDto {
  @ApiProperty() audience!: number;
  @ApiProperty() control!: number;
  @ApiProperty({ description: 'Messages handed to their channel (a deferred one counts once it is accepted)' }) sent!: number;
  @ApiProperty({
    description: 'By reason: no-consent, frequency-cap, no-address, control-group, address-suppressed (the e-mail address is on the suppression list)',
    example: { 'no-consent': 2, 'control-group': 10 },
  })
  suppressed!: Record<string, number>;
  @ApiProperty() bounced!: number;
  @ApiProperty({ description: 'Waiting for a retry' }) deferred!: number;
  @ApiProperty({ description: 'Member × step not decided yet' }) pending!: number;
}

export class CampaignViewDto extends CampaignDefinitionDto {
  @ApiProperty({ format: 'uuid' }) campaignId!: string;
  @ApiProperty({ enum: CAMPAIGN_STATUSES }) status!: CampaignStatus;
  @ApiProperty() definedAt!: string;
  @ApiProperty() definedBy!: string;
  @ApiPropertyOptional() startAt?: string;
  @ApiPropertyOptional() startedAt?: string;
  @ApiPropertyOptional() pausedAt?: string;
  @ApiPropertyOptional() closedAt?: string;
  @ApiProperty({ type: CampaignCountsDto, description: 'So far (from the directory: a moment behind the store at most)' }) counts!: CampaignCountsDto;
  @ApiProperty({ description: 'The campaign stream revision (also the ETag)' }) revision!: string;
}

export class CampaignSummaryDto {
  @ApiProperty({ format: 'uuid' }) campaignId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() purpose!: string;
  @ApiProperty({ enum: CAMPAIGN_STATUSES }) status!: CampaignStatus;
  @ApiProperty() definedAt!: string;
  @ApiPropertyOptional() startAt?: string;
  @ApiPropertyOptional() startedAt?: string;
  @ApiProperty({ type: CampaignCountsDto }) counts!: CampaignCountsDto;
}

export class CampaignListPageDto {
  @ApiProperty({ type: [CampaignSummaryDto] }) items!: CampaignSummaryDto[];
  @ApiPropertyOptional({ description: 'The next page; absent on the last' }) nextCursor?: string;
}

export class CampaignStepMessageDto {
  @ApiProperty() stepId!: string;
  @ApiProperty({ enum: CONSENT_CHANNELS }) channel!: string;
  @ApiProperty({ format: 'uuid' }) messageId!: string;
  @ApiProperty({ enum: ['pending', 'sent', 'suppressed', 'bounced', 'deferred'] }) status!: string;
  @ApiPropertyOptional() variantId?: string;
  @ApiProperty() attempts!: number;
  @ApiPropertyOptional({ description: 'When it was last decided' }) at?: string;
  @ApiPropertyOptional({ description: 'Why it was suppressed, bounced or deferred' }) reason?: string;
  @ApiPropertyOptional() retryAt?: string;
  @ApiPropertyOptional({ description: 'The consent seen when it was decided' }) consentSeen?: string;
  @ApiPropertyOptional({ type: ConsentBasisDto, description: 'The consent event that allowed (or stopped) it' }) consentBasis?: ConsentBasisDto;
}

export class CampaignRecipientDto {
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty({ enum: ['control', 'treatment'] }) group!: 'control' | 'treatment';
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'A triggered campaign: the trigger firing that admitted the recipient (a customer fired for twice is two recipients)',
  })
  firingId?: string;
  @ApiPropertyOptional({ description: 'A triggered campaign: when the firing admitted the recipient' }) triggeredAt?: string;
  @ApiProperty({ type: [CampaignStepMessageDto], description: 'Per step it gets (a triggered recipient of a rule naming a step: that step only)' })
  messages!: CampaignStepMessageDto[];
}

export class CampaignMessagesPageDto {
  @ApiProperty({ type: [CampaignRecipientDto] }) items!: CampaignRecipientDto[];
  @ApiPropertyOptional() nextCursor?: string;
}

export class RecordCampaignResponseDto {
  @ApiProperty({ description: 'A customer the campaign targeted' }) @IsUUID() customerId!: string;
  @ApiProperty({ enum: CHANNELS, description: 'The channel the response came in on' }) @IsIn(CHANNELS) channel!: Channel;
  @ApiProperty({ description: 'What came back ("asked for the brochure", "unsubscribed")' }) @IsString() @IsNotEmpty() @MaxLength(2000) response!: string;
  @ApiPropertyOptional({ description: 'What the customer did; defaults to "responded to the campaign"' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  action?: string;
  @ApiPropertyOptional({ description: 'Client-chosen id: a retried request records the response once' }) @IsOptional() @IsUUID() interactionId?: string;
  @ApiPropertyOptional({ description: 'Defaults to now' }) @IsOptional() @IsInstant() occurredAt?: string;
}
