import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CHANNELS, DIRECTIONS, EPISODE_OUTCOMES, EPISODE_TYPES, JOURNEY_STAGES, RELATIONSHIP_PHASES } from '@crm/kernel';
import { IdentityDto, PostalAddressDto } from '@crm/relationship-api';

// The answers of the partner's own routes (customers, timeline, episodes), as the OpenAPI document
// and the generated TypeScript client show them. Response shapes only: nothing here validates.

const CUSTOMER_ID = '3f0c9a4e-8d2b-4c61-9b7e-2a5d1c8e4f70';
const EPISODE_ID = '9b2f6c1e-4a7d-4f0b-8e3c-5d6a7b8c9d0e';
const PARTNER_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

/** Present when events about the customer are parked and not shown yet (the history may be incomplete). */
export class PartnerStalenessDto {
  @ApiProperty({ enum: [true] }) stale!: true;
  @ApiProperty({ format: 'date-time', description: 'Since when events are missing', example: '2026-05-02T08:00:00.000Z' }) since!: string;
}

/** A customer in the partner's list: without the company's own fields (owner, tags). */
export class PartnerCustomerListItemDto {
  @ApiProperty({ format: 'uuid', example: CUSTOMER_ID }) customerId!: string;
  @ApiProperty({ maxLength: 200, example: 'PT Maju Jaya' }) name!: string;
  @ApiProperty({ enum: ['person', 'organisation'] }) kind!: string;
  @ApiProperty({ enum: JOURNEY_STAGES }) journeyStage!: string;
  @ApiProperty({ enum: RELATIONSHIP_PHASES }) relationshipPhase!: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'The parent organisation' }) parentId!: string | null;
  @ApiProperty({ format: 'date-time', example: '2026-05-01T10:00:00.000Z' }) registeredAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'When the company last interacted with the customer' })
  lastInteractionAt!: string | null;
}

export class PartnerCustomerListPageDto {
  @ApiProperty({ type: [PartnerCustomerListItemDto], maxItems: 200 }) items!: PartnerCustomerListItemDto[];
  @ApiPropertyOptional({ description: 'Pass as `cursor` for the next page (same filters); absent on the last page', example: 'WyJwdCBtYWp1IGpheWEiXQ' })
  nextCursor?: string;
}

class PartnerContactDto {
  @ApiProperty({ format: 'uuid' }) contactId!: string;
  @ApiProperty({ maxLength: 200 }) name!: string;
  @ApiPropertyOptional({ maxLength: 100 }) role?: string;
  @ApiPropertyOptional({ type: [String] }) roles?: string[];
  @ApiPropertyOptional({ format: 'email' }) email?: string;
  @ApiPropertyOptional({ maxLength: 40 }) phone?: string;
  @ApiPropertyOptional({ type: PostalAddressDto }) address?: PostalAddressDto;
}

/** `GET /customers/{id}`: the directory's record of a customer shared with the caller. */
export class PartnerCustomerDto extends PartnerCustomerListItemDto {
  @ApiProperty({ type: [PartnerContactDto], description: 'Organisations only; `[]` after an erasure of personal data' }) contacts!: PartnerContactDto[];
  @ApiProperty({ type: [IdentityDto] }) identities!: IdentityDto[];
  @ApiProperty({ type: PostalAddressDto, nullable: true, description: "The customer's own postal address; null when none or erased" })
  address!: PostalAddressDto | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'While merged: the customer it is read as' }) mergedInto!: string | null;
  @ApiPropertyOptional({ type: PartnerStalenessDto }) stale?: PartnerStalenessDto;
}

export const PARTNER_CUSTOMER_EXAMPLE = {
  customerId: CUSTOMER_ID,
  kind: 'organisation',
  name: 'PT Maju Jaya',
  journeyStage: 'repeat-customer',
  relationshipPhase: 'expansion',
  parentId: null,
  registeredAt: '2026-05-01T10:00:00.000Z',
  lastInteractionAt: '2026-05-20T09:30:00.000Z',
  contacts: [{ contactId: '5a1d7c3e-2b4f-4e6a-8c9d-0f1e2d3c4b5a', name: 'Sari Wijaya', roles: ['buyer'], email: 'sari@majujaya.example' }],
  identities: [],
  address: null,
  mergedInto: null,
};

class TimelineActorDto {
  @ApiProperty({ enum: ['staff', 'partner-user', 'customer', 'system'] }) kind!: string;
  @ApiPropertyOptional({ description: 'Who (not shown for company staff)' }) id?: string;
}

/** Who recorded an interaction: company staff show only as `staff` (no name, no department). */
class RecordedByDto {
  @ApiProperty({ enum: ['staff', 'partner-user', 'customer', 'system'] }) type!: string;
  @ApiPropertyOptional({ description: 'Not for company staff' }) id?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'A partner user: the caller' }) partnerId?: string;
}

class TimelineInteractionDto {
  @ApiProperty({ format: 'uuid' }) interactionId!: string;
  @ApiProperty({ enum: CHANNELS }) channel!: string;
  @ApiProperty({ enum: DIRECTIONS }) direction!: string;
  @ApiProperty({ type: TimelineActorDto }) actor!: TimelineActorDto;
  @ApiProperty({ maxLength: 2000, example: 'called the buyer' }) action!: string;
  @ApiPropertyOptional({ maxLength: 2000 }) response?: string;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ type: RecordedByDto, description: 'Who recorded it' }) recordedBy!: RecordedByDto;
  @ApiProperty({ description: 'Position in the one order ("<commit>/<prepare>"; also a valid cursor)', example: '1042/9137' }) position!: string;
}

class TimelineEpisodeOwnerDto {
  @ApiProperty({ enum: ['department', 'partner'] }) kind!: 'department' | 'partner';
  @ApiPropertyOptional({ description: 'kind department' }) department?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'kind partner: always the caller (other partners’ episodes are never shown)' }) partnerId?: string;
}

class StageMoveDto {
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty({ format: 'date-time' }) advancedAt!: string;
  @ApiPropertyOptional() backward?: boolean;
  @ApiPropertyOptional() reason?: string;
}

class EpisodeClosingDto {
  @ApiProperty({ enum: EPISODE_OUTCOMES }) outcome!: string;
  @ApiProperty({ format: 'date-time' }) closedAt!: string;
  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'A won deal: integer minor units of `currency`' }) value?: number;
  @ApiPropertyOptional({ pattern: '^[A-Z]{3}$', example: 'EUR' }) currency?: string;
  @ApiPropertyOptional() reason?: string;
}

class ReopenedDto {
  @ApiProperty({ type: 'integer', minimum: 1 }) count!: number;
  @ApiProperty({ format: 'date-time' }) lastReopenedAt!: string;
}

class ReturnStepDto {
  @ApiProperty({ example: 'ReturnAuthorised' }) kind!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) data!: Record<string, unknown>;
}

class TimelineEpisodeDto {
  @ApiProperty({ format: 'uuid', example: EPISODE_ID }) episodeId!: string;
  @ApiProperty({ maxLength: 200, example: 'Fleet renewal' }) name!: string;
  @ApiProperty({ enum: EPISODE_TYPES }) episodeType!: string;
  @ApiProperty({ type: TimelineEpisodeOwnerDto }) owner!: TimelineEpisodeOwnerDto;
  @ApiProperty({ format: 'date-time' }) openedAt!: string;
  @ApiPropertyOptional({ description: 'A sales opportunity: its stage' }) stage?: string;
  @ApiProperty({ type: [StageMoveDto] }) stageHistory!: StageMoveDto[];
  @ApiPropertyOptional({ type: EpisodeClosingDto, description: 'Absent while open' }) closed?: EpisodeClosingDto;
  @ApiPropertyOptional({ type: ReopenedDto }) reopened?: ReopenedDto;
  @ApiPropertyOptional({ format: 'uuid', description: 'A return: the case it was requested from' }) caseEpisodeId?: string;
  @ApiPropertyOptional({ type: [ReturnStepDto] }) returnSteps?: ReturnStepDto[];
  @ApiProperty({ type: [TimelineInteractionDto], description: "The episode's interactions that fall in this page" }) interactions!: TimelineInteractionDto[];
  @ApiProperty({ description: 'Position of the opening event', example: '1040/9120' }) position!: string;
}

/** `GET /customers/{id}/timeline`: one page of the history the caller may see. */
export class PartnerTimelinePageDto {
  @ApiProperty({ format: 'uuid', example: CUSTOMER_ID }) customerId!: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'The history as it stood then (when asked with asOf)' }) asOf?: string;
  @ApiProperty({ enum: ['oldest-first', 'newest-first'] }) order!: 'oldest-first' | 'newest-first';
  @ApiProperty({ type: [TimelineEpisodeDto], description: "The episodes this page's entries belong to, each as of asOf" }) episodes!: TimelineEpisodeDto[];
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Entries (openings, interactions, stage moves, closings) in this page' }) entries!: number;
  @ApiPropertyOptional({ description: 'Pass as `cursor` for the next page; absent on the last page', example: '1042/9137' }) nextCursor?: string;
  @ApiPropertyOptional({ type: PartnerStalenessDto }) stale?: PartnerStalenessDto;
}

export const PARTNER_TIMELINE_EXAMPLE = {
  customerId: CUSTOMER_ID,
  order: 'oldest-first',
  episodes: [
    {
      episodeId: EPISODE_ID,
      name: 'Fleet service contract',
      episodeType: 'partner-deal',
      owner: { kind: 'partner', partnerId: PARTNER_ID },
      openedAt: '2026-05-02T09:00:00.000Z',
      stageHistory: [],
      interactions: [
        {
          interactionId: '1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
          channel: 'phone',
          direction: 'outbound',
          actor: { kind: 'partner-user', id: 'budi' },
          action: 'called the buyer',
          occurredAt: '2026-05-02T10:00:00.000Z',
          recordedBy: { type: 'partner-user', id: 'budi', partnerId: PARTNER_ID },
          position: '1042/9137',
        },
      ],
      position: '1040/9120',
    },
  ],
  entries: 2,
};

export class EpisodeOpenedDto {
  @ApiProperty({ format: 'uuid', example: EPISODE_ID }) episodeId!: string;
}

export class InteractionRecordedDto {
  @ApiProperty({ format: 'uuid', example: '1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d' }) interactionId!: string;
}

export class EpisodeClosedDto {
  @ApiProperty({ format: 'uuid', example: EPISODE_ID }) episodeId!: string;
  @ApiProperty({ enum: EPISODE_OUTCOMES, example: 'won' }) outcome!: string;
}
