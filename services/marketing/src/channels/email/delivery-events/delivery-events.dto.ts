import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsInstant, NestedObjects } from '@crm/contracts';
import { CAMPAIGN_MESSAGE_REFERENCE } from '../smtp-message-sender';

export const DELIVERY_EVENT_TYPES = ['bounce', 'complaint', 'delivered'] as const;
export type DeliveryEventType = (typeof DELIVERY_EVENT_TYPES)[number];
export const BOUNCE_TYPES = ['hard', 'soft'] as const;
/** Events in one call at most: a provider batches, and one request stays well under a second of appends. */
export const MAX_DELIVERY_EVENTS = 100;

export class EmailDeliveryEventDto {
  @ApiProperty({ enum: DELIVERY_EVENT_TYPES, description: 'What the provider learnt about the message', example: 'bounce' })
  @IsIn(DELIVERY_EVENT_TYPES)
  type!: DeliveryEventType;

  @ApiProperty({
    description:
      'The campaign message id, or the Message-ID it was sent with (`<id@sender-domain>`); also in the `X-CRM-Message` header of every campaign e-mail',
    example: '<3b8e1f0a-6a51-5c1e-9d2f-0c7b9a4e2d11@crm.example.com>',
    maxLength: 300,
  })
  @IsString()
  @MaxLength(300)
  @Matches(CAMPAIGN_MESSAGE_REFERENCE, { message: 'messageId must be a campaign message id (UUID) or the Message-ID <uuid@domain> it was sent with' })
  messageId!: string;

  @ApiProperty({ description: 'When the provider learnt it (ISO 8601 instant)', example: '2026-05-02T10:14:03Z' })
  @IsInstant()
  at!: string;

  @ApiPropertyOptional({
    description: "The provider's words: the DSN diagnostic, the feedback type",
    example: '550 5.1.1 <sari@example.com>: mailbox unknown',
    maxLength: 2000,
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  reason?: string;

  @ApiPropertyOptional({
    enum: BOUNCE_TYPES,
    description: 'A bounce only: `hard` (permanent, recorded) or `soft` (temporary: the provider retries; nothing is recorded). Absent on a bounce: hard',
    example: 'hard',
  })
  @IsOptional()
  @IsIn(BOUNCE_TYPES)
  bounceType?: (typeof BOUNCE_TYPES)[number];
}

export class EmailDeliveryEventsDto {
  @ApiProperty({ type: [EmailDeliveryEventDto], minItems: 1, maxItems: MAX_DELIVERY_EVENTS })
  @NestedObjects(() => EmailDeliveryEventDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_DELIVERY_EVENTS)
  events!: EmailDeliveryEventDto[];
}

export const DELIVERY_OUTCOMES = ['recorded', 'unchanged', 'ignored'] as const;

export class DeliveryEventResultDto {
  @ApiProperty({ description: 'Its place in `events` (0-based)', example: 0 }) index!: number;
  @ApiProperty({ enum: DELIVERY_EVENT_TYPES, example: 'bounce' }) type!: DeliveryEventType;
  @ApiProperty({ example: '3b8e1f0a-6a51-5c1e-9d2f-0c7b9a4e2d11' }) messageId!: string;
  @ApiProperty({
    enum: DELIVERY_OUTCOMES,
    description:
      '`recorded`: an event was appended (the bounce, the consent withdrawal); `unchanged`: it was known already (a replay, a second report); `ignored`: nothing to record, `reason` says why',
    example: 'recorded',
  })
  outcome!: (typeof DELIVERY_OUTCOMES)[number];
  @ApiPropertyOptional({ description: 'Why it was ignored', example: 'unknown message' }) reason?: string;
}

export class DeliveryEventsAnswerDto {
  @ApiProperty({ description: 'The webhook-id of the call', example: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W' }) webhookId!: string;
  @ApiProperty({ type: [DeliveryEventResultDto], description: 'One per event, in order' }) results!: DeliveryEventResultDto[];
}
