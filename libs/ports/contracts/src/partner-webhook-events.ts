import { ArrayMaxSize, ArrayMinSize, IsInt, IsNotEmpty, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { IsInstant } from './instant';

/**
 * A partner's webhook subscriptions (issue 14 §5), on the subscription's own stream
 * (`partnerwebhook-<id>`), published keyed by the subscription. They carry no secret: the signing
 * secret is derived from the portal's key (`CRM_PARTNER_WEBHOOK_KEY`), the subscription id and
 * `secretVersion`. Schema version 1; docs/events.md lists them.
 */
export class PartnerWebhookSubscribedV1 {
  @IsString() @IsNotEmpty() subscriptionId!: string;
  @IsString() @IsNotEmpty() partnerId!: string;
  @IsString() @IsNotEmpty() @MaxLength(2000) url!: string;
  @IsString({ each: true }) @ArrayMinSize(1) @ArrayMaxSize(50) eventTypes!: string[];
  @IsInt() @Min(1) secretVersion!: number;
  @IsInstant() subscribedAt!: string;
  @IsString() @IsNotEmpty() subscribedBy!: string;
}

export class PartnerWebhookChangedV1 {
  @IsString() @IsNotEmpty() subscriptionId!: string;
  @IsString() @IsNotEmpty() partnerId!: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(2000) url?: string;
  @IsOptional() @IsString({ each: true }) @ArrayMinSize(1) @ArrayMaxSize(50) eventTypes?: string[];
  @IsInstant() changedAt!: string;
  @IsString() @IsNotEmpty() changedBy!: string;
}

export class PartnerWebhookSecretRotatedV1 {
  @IsString() @IsNotEmpty() subscriptionId!: string;
  @IsString() @IsNotEmpty() partnerId!: string;
  @IsInt() @Min(2) secretVersion!: number;
  @IsInstant() rotatedAt!: string;
  @IsString() @IsNotEmpty() rotatedBy!: string;
}

export class PartnerWebhookUnsubscribedV1 {
  @IsString() @IsNotEmpty() subscriptionId!: string;
  @IsString() @IsNotEmpty() partnerId!: string;
  @IsInstant() unsubscribedAt!: string;
  @IsString() @IsNotEmpty() unsubscribedBy!: string;
}

export const PARTNER_WEBHOOK_EVENTS = {
  PartnerWebhookSubscribed: PartnerWebhookSubscribedV1,
  PartnerWebhookChanged: PartnerWebhookChangedV1,
  PartnerWebhookSecretRotated: PartnerWebhookSecretRotatedV1,
  PartnerWebhookUnsubscribed: PartnerWebhookUnsubscribedV1,
} as const;
