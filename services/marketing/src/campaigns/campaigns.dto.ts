import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { IsInstant } from '@crm/contracts';
import { CHANNELS, type Channel } from '@crm/relationship';

export const MAX_CAMPAIGN_TARGETS = 500;

export class RunCampaignDto {
  @ApiPropertyOptional({ description: 'Client-chosen id: a retried request touches each customer once. Generated when omitted' })
  @IsOptional()
  @IsUUID()
  campaignId?: string;

  @ApiProperty({ description: "Names each customer's campaign episode" }) @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @ApiProperty({ enum: CHANNELS, description: 'The channel the campaign material goes out on' }) @IsIn(CHANNELS) channel!: Channel;
  @ApiProperty({ description: 'What was sent ("spring offer e-mail")' }) @IsString() @IsNotEmpty() @MaxLength(2000) action!: string;

  @ApiProperty({ type: [String], format: 'uuid', minItems: 1, maxItems: MAX_CAMPAIGN_TARGETS, description: 'The target group' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_CAMPAIGN_TARGETS)
  @ArrayUnique()
  @IsUUID(undefined, { each: true })
  customerIds!: string[];
}

export class CampaignTouch {
  @ApiProperty() customerId!: string;
  @ApiProperty({ description: "The customer's campaign episode" }) episodeId!: string;
  @ApiProperty({ description: 'The outbound touch' }) interactionId!: string;
}

export class CampaignRejection {
  @ApiProperty() customerId!: string;
  @ApiProperty({ description: 'The broken rule, e.g. unknown-customer' }) reason!: string;
  @ApiProperty() detail!: string;
}

export class CampaignResult {
  @ApiProperty() campaignId!: string;
  @ApiProperty({ type: [CampaignTouch] }) touched!: CampaignTouch[];
  @ApiProperty({ type: [CampaignRejection], description: 'Customers not touched, each with the reason' }) rejected!: CampaignRejection[];
}

export class CampaignIdParam {
  @ApiProperty() @IsUUID() campaignId!: string;
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
