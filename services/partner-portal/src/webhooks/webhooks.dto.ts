import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateIf } from 'class-validator';
import { WEBHOOK_EVENT_TYPES } from '@crm/relationship';
import { PortalPageQueryDto } from '../portal/page-query.dto';
import { DELIVERY_STATES } from './partner-webhooks.projection';

export const EXAMPLE_SUBSCRIPTION = '9c1f3e2a-7b4d-4c8e-a1f0-2d3c4b5a6e7f';
export const EXAMPLE_DELIVERY = '4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8';
export const EXAMPLE_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw+RzoXU9z+Eo=';

export class SubscribeWebhookDto {
  @ApiProperty({ format: 'uri', maxLength: 2000, example: 'https://hooks.example.com/crm', description: 'https (no user name or password in it)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  url!: string;
  @ApiProperty({
    enum: WEBHOOK_EVENT_TYPES,
    isArray: true,
    minItems: 1,
    maxItems: WEBHOOK_EVENT_TYPES.length,
    example: ['InteractionRecorded', 'EpisodeClosed'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  eventTypes!: string[];
}

export class ChangeWebhookDto {
  @ApiPropertyOptional({ format: 'uri', maxLength: 2000, example: 'https://hooks.example.com/crm/v2' })
  // absent: unchanged; null is not "absent" (a 400, never a crash)
  @ValidateIf((o: ChangeWebhookDto) => o.url !== undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  url?: string;
  @ApiPropertyOptional({ enum: WEBHOOK_EVENT_TYPES, isArray: true, minItems: 1, example: ['InteractionRecorded'] })
  @ValidateIf((o: ChangeWebhookDto) => o.eventTypes !== undefined)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  eventTypes?: string[];
}

export class ReplayWebhookDto {
  @ApiProperty({
    example: '1042/1042',
    description: 'A store position "<commit>/<prepare>" (a delivery\'s `position`): what the subscription would have got from there on is sent again',
  })
  @IsString()
  @Matches(/^\d{1,18}\/\d{1,18}$/, { message: 'fromPosition must be a position "<commit>/<prepare>"' })
  fromPosition!: string;
}

export class WebhookIdParam {
  @ApiProperty({ format: 'uuid' }) @IsUUID() id!: string;
}

export class WebhookDeliveryIdParam extends WebhookIdParam {
  @ApiProperty({ format: 'uuid' }) @IsUUID() deliveryId!: string;
}

export class WebhookDeliveryQueryDto extends PortalPageQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATES }) @IsOptional() @IsIn(DELIVERY_STATES) status?: (typeof DELIVERY_STATES)[number];
}

export class WebhookSubscribedDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_SUBSCRIPTION }) subscriptionId!: string;
  @ApiProperty({ example: EXAMPLE_SECRET, description: 'The signing secret, shown only here: keep it to verify `webhook-signature`' }) secret!: string;
}

export class WebhookSecretDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_SUBSCRIPTION }) subscriptionId!: string;
  @ApiProperty({ example: EXAMPLE_SECRET, description: 'The new signing secret, shown only here; the old one stops verifying at once' }) secret!: string;
}

export class WebhookSubscriptionDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_SUBSCRIPTION }) subscriptionId!: string;
  @ApiProperty({ format: 'uri', example: 'https://hooks.example.com/crm' }) url!: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true, example: ['InteractionRecorded'] }) eventTypes!: string[];
  @ApiProperty({ example: 1, description: 'Which secret signs now (1, then +1 per rotation)' }) secretVersion!: number;
  @ApiProperty({ format: 'date-time', example: '2026-06-01T09:00:00.000Z' }) subscribedAt!: string;
  @ApiProperty({ format: 'date-time', example: '2026-06-01T09:00:00.000Z' }) changedAt!: string;
}

export class WebhookSubscriptionListDto {
  @ApiProperty({ type: [WebhookSubscriptionDto] }) items!: WebhookSubscriptionDto[];
}

export class WebhookDeliveryDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_DELIVERY, description: 'Also the `webhook-id` header of every attempt' }) deliveryId!: string;
  @ApiProperty({ format: 'uuid', example: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', description: "The event's id (the CloudEvent's `id`)" }) eventId!: string;
  @ApiProperty({ example: 'InteractionRecorded' }) type!: string;
  @ApiProperty({ format: 'uuid', example: '5d0e2f6a-1c4b-4e8a-9b7d-3a2c1e0f9d88' }) customerId!: string;
  @ApiProperty({ example: '1042/1042', description: 'Its store position (for replay)' }) position!: string;
  @ApiProperty({ enum: DELIVERY_STATES, example: 'pending' }) state!: string;
  @ApiProperty({ example: 2 }) attempts!: number;
  @ApiProperty({ nullable: true, type: Number, example: 500 }) lastStatusCode!: number | null;
  @ApiProperty({ nullable: true, type: String, example: 'answered 500' }) lastError!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', example: '2026-06-01T09:00:30.000Z' }) nextAttemptAt!: string | null;
}

export class WebhookDeliveryPageDto {
  @ApiProperty({ type: [WebhookDeliveryDto] }) items!: WebhookDeliveryDto[];
  @ApiPropertyOptional({ example: 'WyJkZWxpdmVyaWVzIiwiMTA0MiIsIjEwNDIiXQ' }) nextCursor?: string;
}

export class WebhookReplayedDto {
  @ApiProperty({ example: 12, description: 'Deliveries enqueued again (scope-checked as at each event)' }) enqueued!: number;
}
