import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { NestedObjects } from '@crm/contracts';
import { LEAD_OFFER_STATUSES, LEAD_OUTCOMES, PARTNER_TIERS, type LeadOutcome, type PartnerTier } from '@crm/relationship';
import { PortalPageQueryDto } from '../portal/page-query.dto';

export const EXAMPLE_LEAD = '8e3b1c2d-4f5a-4b6c-9d7e-0f1a2b3c4d5e';
export const EXAMPLE_PARTNER = '7a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
export const EXAMPLE_OFFER = '1f2e3d4c-5b6a-5789-8abc-def012345678';

export class PartnerTerritoryDto {
  @ApiProperty({ example: 'ID', pattern: '^[A-Za-z]{2}$', description: 'ISO 3166-1 alpha-2 country code (stored upper case)' })
  @IsString()
  @Matches(/^[A-Za-z]{2}$/, { message: 'country must be an ISO 3166-1 alpha-2 code' })
  country!: string;
  @ApiPropertyOptional({
    type: [String],
    example: ['java-west'],
    maxItems: 100,
    description: "Regions within the country the partner covers (as leads name them); absent or empty: the whole country. A lead's region must be one of them",
  })
  @IsOptional()
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(100, { each: true })
  @ArrayMaxSize(100)
  regions?: string[];
}

/** Where, what and how many leads the partner takes (issue 14 §4); the whole profile, replacing the last one. */
export class RoutingProfileDto {
  @ApiProperty({ type: [PartnerTerritoryDto], maxItems: 300, example: [{ country: 'ID', regions: ['java-west'] }, { country: 'MY' }] })
  @NestedObjects(() => PartnerTerritoryDto)
  @ArrayMaxSize(300)
  territories!: PartnerTerritoryDto[];
  @ApiProperty({
    type: [String],
    example: ['VAN-L2'],
    maxItems: 500,
    description:
      "Catalogue product ids or product families the partner sells, matched as given against the products a lead's distribution names; empty: any product",
  })
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(200, { each: true })
  @ArrayMaxSize(500)
  products!: string[];
  @ApiProperty({ enum: PARTNER_TIERS, example: 'gold', description: 'gold > silver > bronze: a better tier ranks first (30/20/10 points)' })
  @IsIn(PARTNER_TIERS)
  tier!: PartnerTier;
  @ApiProperty({
    example: 5,
    minimum: 0,
    maximum: 100000,
    description: 'The most leads it holds open at once (offered, or accepted without an outcome); at capacity it is skipped',
  })
  @IsInt()
  @Min(0)
  @Max(100_000)
  capacity!: number;
  @ApiPropertyOptional({ default: true, description: 'False: deactivated for lead distribution (offered nothing)' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class RoutingProfileViewDto {
  @ApiProperty({ type: [PartnerTerritoryDto] }) territories!: PartnerTerritoryDto[];
  @ApiProperty({ type: [String] }) products!: string[];
  @ApiProperty({ enum: PARTNER_TIERS }) tier!: string;
  @ApiProperty() capacity!: number;
  @ApiProperty() active!: boolean;
}

export class RoutingProfileSetDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_PARTNER }) partnerId!: string;
  @ApiProperty({ type: RoutingProfileViewDto }) routingProfile!: RoutingProfileViewDto;
}

export class LeadIdParam {
  @ApiProperty({ format: 'uuid' }) @IsUUID() id!: string;
}

export class StartDistributionDto {
  @ApiPropertyOptional({
    type: [String],
    example: ['VAN-L2'],
    maxItems: 100,
    description:
      "Catalogue product ids or product families the lead is about: partners whose profile names products must sell one of them. Absent: any partner's products",
  })
  @IsOptional()
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(200, { each: true })
  @ArrayMaxSize(100)
  products?: string[];
}

export class DeclineLeadDto {
  @ApiProperty({ example: 'Outside our service area this quarter', maxLength: 2000 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  reason!: string;
}

export class LeadOutcomeDto {
  @ApiProperty({ enum: LEAD_OUTCOMES, example: 'won' }) @IsIn(LEAD_OUTCOMES) outcome!: LeadOutcome;
  @ApiPropertyOptional({ example: 'Two vans ordered', maxLength: 2000 }) @IsOptional() @IsString() @MaxLength(2000) note?: string;
}

export class LeadOfferListQueryDto extends PortalPageQueryDto {
  @ApiPropertyOptional({ enum: LEAD_OFFER_STATUSES }) @IsOptional() @IsIn(LEAD_OFFER_STATUSES) status?: (typeof LEAD_OFFER_STATUSES)[number];
}

export class StaffLeadOfferListQueryDto extends LeadOfferListQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: "Only this partner's offers" }) @IsOptional() @IsUUID() partnerId?: string;
  @ApiPropertyOptional({ enum: LEAD_OUTCOMES }) @IsOptional() @IsIn(LEAD_OUTCOMES) outcome?: LeadOutcome;
}

/** An offer in the partner's inbox: ids, status and deadline — the lead's details only from `GET /leads/{id}` while it is yours. */
export class PartnerLeadOfferDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_LEAD }) leadId!: string;
  @ApiProperty({ format: 'uuid', example: EXAMPLE_OFFER }) offerId!: string;
  @ApiProperty({ enum: LEAD_OFFER_STATUSES, example: 'offered', description: 'offered (answer by expiresAt), accepted, declined, expired' }) status!: string;
  @ApiProperty({ nullable: true, type: String, enum: LEAD_OUTCOMES, example: null }) outcome!: string | null;
  @ApiProperty({ format: 'date-time', example: '2026-06-01T09:00:00.000Z' }) offeredAt!: string;
  @ApiProperty({ format: 'date-time', example: '2026-06-03T09:00:00.000Z' }) expiresAt!: string;
}

export class PartnerLeadOfferPageDto {
  @ApiProperty({ type: [PartnerLeadOfferDto], description: 'Open offers first, then newest first' }) items!: PartnerLeadOfferDto[];
  @ApiPropertyOptional({ description: 'Pass as `cursor` for the next page; absent on the last page' }) nextCursor?: string;
}

export class StaffLeadOfferDto extends PartnerLeadOfferDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_PARTNER }) partnerId!: string;
  @ApiProperty({ example: 1, description: "1 for the lead's first offer, then 2, 3, …" }) attempt!: number;
  @ApiProperty({ example: 71.5, description: "The routing score when it was offered (see docs/partners.md, 'Leads offered to you')" }) score!: number;
  @ApiProperty({ type: [String], example: ['territory ID', '+30 gold tier'] }) reasons!: string[];
}

export class StaffLeadOfferPageDto {
  @ApiProperty({ type: [StaffLeadOfferDto], description: 'Open offers first, then newest first' }) items!: StaffLeadOfferDto[];
  @ApiPropertyOptional() nextCursor?: string;
}

/** The lead as the partner it is offered to (or that accepted it) sees it. */
export class PartnerLeadDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_LEAD }) leadId!: string;
  @ApiProperty({ example: 'Dewi Lestari', description: "The contact's name (`[erased]` once erased)" }) name!: string;
  @ApiPropertyOptional({ example: 'PT Baru Sejahtera' }) company?: string;
  @ApiPropertyOptional({ example: 'dewi@baru.co.id' }) email?: string;
  @ApiPropertyOptional({ example: '+62 21 555 0101' }) phone?: string;
  @ApiPropertyOptional({ example: 'ID' }) country?: string;
  @ApiPropertyOptional({ example: 'java-west' }) region?: string;
  @ApiProperty({ type: [String], example: ['VAN-L2'] }) products!: string[];
  @ApiProperty({ type: PartnerLeadOfferDto }) offer!: PartnerLeadOfferDto;
}

export class DistributionStartedDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_LEAD }) leadId!: string;
  @ApiProperty({ enum: ['offered', 'accepted', 'exhausted'], example: 'offered' }) status!: string;
  @ApiPropertyOptional({ format: 'uuid', example: EXAMPLE_PARTNER, description: 'The partner it is offered to now (or that accepted it)' }) partnerId?: string;
  @ApiPropertyOptional({ format: 'uuid', example: EXAMPLE_OFFER }) offerId?: string;
  @ApiPropertyOptional({ format: 'date-time' }) expiresAt?: string;
}

export class LeadOfferAnsweredDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_LEAD }) leadId!: string;
  @ApiProperty({ enum: ['accepted', 'declined'], example: 'accepted' }) status!: string;
}

export class LeadOutcomeReportedDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_LEAD }) leadId!: string;
  @ApiProperty({ enum: LEAD_OUTCOMES, example: 'won' }) outcome!: string;
}
