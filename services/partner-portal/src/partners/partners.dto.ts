import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsNotEmpty, IsString, IsOptional, IsUUID, MaxLength } from 'class-validator';
import { IsInstant } from '@crm/contracts';
import { EPISODE_TYPES, type EpisodeType } from '@crm/kernel';
import { RoutingProfileViewDto } from '../leads/lead-distribution.dto';
import { PortalPageQueryDto } from '../portal/page-query.dto';
import { PARTNER_STATUSES } from './partner-directory.projection';
import { PARTNER_KINDS, SHARE_ACCESS, type PartnerKind, type PartnerRoutingProfile, type PartnerShare, type ShareAccess } from '@crm/relationship';

export class RegisterPartnerDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Client-chosen id; generated when omitted (a second registration under the same id is refused with 422)',
  })
  @IsOptional()
  @IsUUID()
  partnerId?: string;
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'PT Distribusi Nusantara' }) @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @ApiProperty({ enum: PARTNER_KINDS, example: 'distributor' }) @IsIn(PARTNER_KINDS) partnerKind!: PartnerKind;
}

/** A share's scope (issue 14 §2); every field optional: absent, the share shows every episode type, read-write, with no end. */
export class ShareScopeDto {
  @ApiPropertyOptional({
    enum: EPISODE_TYPES,
    isArray: true,
    maxItems: EPISODE_TYPES.length,
    description: "The episode types of the customer's history the partner sees (its own episodes always). Absent: every type.",
    example: ['case', 'return-repair'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(EPISODE_TYPES.length)
  @IsIn(EPISODE_TYPES, { each: true })
  episodeTypes?: EpisodeType[];
  @ApiPropertyOptional({
    enum: SHARE_ACCESS,
    description:
      '`read`: the partner reads only (its writes on the customer get 403); `read-write` (default): it may open its own episodes and record interactions',
  })
  @IsOptional()
  @IsIn(SHARE_ACCESS)
  access?: ShareAccess;
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'When the share ends (must be in the future); from then on the customer answers 404 to the partner, as if never shared',
    example: '2026-12-31T23:59:59.000Z',
  })
  @IsOptional()
  @IsInstant()
  expiresAt?: string;
}

export class ShareCustomerDto extends ShareScopeDto {
  @ApiProperty({ format: 'uuid', example: '3f0c9a4e-8d2b-4c61-9b7e-2a5d1c8e4f70' }) @IsUUID() customerId!: string;
}

export class PartnerAsOfQuery {
  @ApiPropertyOptional({ format: 'date-time', description: 'The partner and its shares as they stood at this instant (who could see what, when)' })
  @IsOptional()
  @IsInstant()
  asOf?: string;
}

export class PartnerIdParam {
  @ApiProperty({ format: 'uuid' }) @IsUUID() id!: string;
}

export class PartnerShareParams {
  @ApiProperty({ format: 'uuid' }) @IsUUID() id!: string;
  @ApiProperty({ format: 'uuid' }) @IsUUID() customerId!: string;
}

export class PartnerCredentialParams {
  @ApiProperty({ format: 'uuid' }) @IsUUID() id!: string;
  @ApiProperty({ maxLength: 200 }) @IsString() @IsNotEmpty() @MaxLength(200) clientId!: string;
}

export interface PartnerView {
  partnerId: string;
  name: string;
  partnerKind: PartnerKind;
  activeClientIds: readonly string[];
  /** The customers shared and in force (not revoked, not expired) at `asOf` or now. */
  sharedCustomerIds: readonly string[];
  /** Every share not revoked, with its scope; `inForce` false once expired. */
  shares: (PartnerShare & { inForce: boolean })[];
  /** Its users not removed (issue 14 §1): ids and roles (a user added before roles existed: null, no rights). */
  users: { userId: string; role: string | null }[];
  /** When the partnership was ended (`DELETE /partners/{id}`): nothing of it works any more. */
  deactivatedAt?: string;
  /** Lead distribution (issue 14 §4): where, what and how many leads it takes. */
  routingProfile?: PartnerRoutingProfile;
  asOf?: string;
}

class PartnerUserSummarySchema {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ type: String, nullable: true, enum: ['admin', 'sales', 'service'], description: 'null: added before roles existed, no rights' })
  role!: string | null;
}

class PartnerShareSchema {
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty({ format: 'date-time' }) sharedAt!: string;
  @ApiProperty() sharedBy!: string;
  @ApiPropertyOptional({ enum: EPISODE_TYPES, isArray: true }) episodeTypes?: string[];
  @ApiPropertyOptional({ enum: SHARE_ACCESS }) access?: string;
  @ApiPropertyOptional({ format: 'date-time' }) expiresAt?: string;
  @ApiProperty({ description: 'false once expiresAt has passed (at asOf, or now)' }) inForce!: boolean;
}

/** The response schema of `GET /partners/{id}` (OpenAPI). */
export class PartnerViewSchema {
  @ApiProperty({ format: 'uuid' }) partnerId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: PARTNER_KINDS }) partnerKind!: string;
  @ApiProperty({ type: [String] }) activeClientIds!: string[];
  @ApiProperty({ type: [String] }) sharedCustomerIds!: string[];
  @ApiProperty({ type: [PartnerShareSchema] }) shares!: PartnerShareSchema[];
  @ApiProperty({
    type: [PartnerUserSummarySchema],
    description: 'Its users not removed: ids and roles (names and e-mails are personal data: the partner’s own GET /users)',
  })
  users!: PartnerUserSummarySchema[];
  @ApiPropertyOptional({ format: 'date-time', description: 'When the partnership was ended (DELETE /partners/{id}); absent while active' })
  deactivatedAt?: string;
  @ApiPropertyOptional({ type: RoutingProfileViewDto, description: 'Where, what and how many leads it takes (absent: never set; it is offered no leads)' })
  routingProfile?: RoutingProfileViewDto;
  @ApiPropertyOptional({ format: 'date-time' }) asOf?: string;
}

/** The response schema of a share (OpenAPI). */
export class ShareResultSchema {
  @ApiProperty({ format: 'uuid' }) partnerId!: string;
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty({ enum: [true] }) shared!: true;
}

const EXAMPLE_PARTNER = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

/** `POST /partners`: the partner registered (Location names it). */
export class PartnerRegisteredDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_PARTNER }) partnerId!: string;
}

/** `POST /partners/{id}/credentials`: the secret is shown only here. */
export class IssuedCredentialDto {
  @ApiProperty({ description: '`<partnerId>.<random>`', pattern: '^[A-Za-z0-9._-]+$', example: `${EXAMPLE_PARTNER}.q3Rk9vX2mB7tL0sW` }) clientId!: string;
  @ApiProperty({
    description: '32 random bytes (base64url); only its hash is kept',
    pattern: '^[A-Za-z0-9_-]+$',
    example: 'mZ0b9m3HkV5x1q8cR2pT7wYd4eF6gJ0uL3nA5sB8kQw',
  })
  clientSecret!: string;
}

/** `GET /partners`: the partner directory's filters (issue 16). */
export class PartnerListQueryDto extends PortalPageQueryDto {
  @ApiPropertyOptional({ maxLength: 200, description: 'Part of the name (any case), or a whole partner id', example: 'nusantara' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
  @ApiPropertyOptional({ enum: PARTNER_KINDS }) @IsOptional() @IsIn(PARTNER_KINDS) kind?: PartnerKind;
  @ApiPropertyOptional({ enum: PARTNER_STATUSES, default: 'active', description: 'active (default), deactivated, or all' })
  @IsOptional()
  @IsIn(PARTNER_STATUSES)
  status?: (typeof PARTNER_STATUSES)[number];
}

class PartnerRoutingSummaryDto {
  @ApiProperty({ enum: ['gold', 'silver', 'bronze'], example: 'gold' }) tier!: string;
  @ApiProperty({ description: 'false: it takes no leads for now', example: true }) active!: boolean;
}

/** One partner company in the directory. */
export class PartnerListItemDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_PARTNER }) partnerId!: string;
  @ApiProperty({ example: 'PT Distribusi Nusantara' }) name!: string;
  @ApiProperty({ enum: PARTNER_KINDS, example: 'distributor' }) partnerKind!: string;
  @ApiProperty({ enum: ['active', 'deactivated'], example: 'active' }) status!: string;
  @ApiProperty({ format: 'date-time', example: '2026-03-02T09:00:00.000Z' }) registeredAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null, description: 'When the partnership was ended' })
  deactivatedAt!: string | null;
  @ApiProperty({ minimum: 0, example: 40, description: 'Customers shared with it now (shares that expired do not count)' }) sharedCustomers!: number;
  @ApiProperty({ minimum: 0, example: 2, description: 'Its deal registrations waiting for review' }) pendingDealRegistrations!: number;
  @ApiProperty({ minimum: 0, example: 1, description: 'Leads offered to it and not answered yet' }) openLeadOffers!: number;
  @ApiProperty({ type: PartnerRoutingSummaryDto, nullable: true, description: 'Its lead routing tier (null: no routing profile, it is offered no leads)' })
  routing!: PartnerRoutingSummaryDto | null;
}

export class PartnerListPageDto {
  @ApiProperty({ type: [PartnerListItemDto] }) items!: PartnerListItemDto[];
  @ApiPropertyOptional({ description: 'The next page (same filters); absent on the last' }) nextCursor?: string;
}
