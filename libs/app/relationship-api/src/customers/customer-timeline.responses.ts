import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ACTOR_KINDS, CHANNELS, DEPARTMENTS, DIRECTIONS, EPISODE_OUTCOMES, EPISODE_TYPES } from '@crm/kernel';
import { RETURN_STEP_KINDS } from '@crm/relationship-read-models';

// The answer of `GET /customers/{id}/timeline` as department staff read it (the shared
// CustomersController): every episode of every department and partner, nothing redacted — who acted
// and who recorded it are shown as stored. Response shapes only: nothing here validates. The partner
// portal answers its own, narrower view (services/partner-portal/src/portal/portal-responses.dto.ts).

const CUSTOMER_ID = '3f0c9a4e-8d2b-4c61-9b7e-2a5d1c8e4f70';
const EPISODE_ID = '9b2f6c1e-4a7d-4f0b-8e3c-5d6a7b8c9d0e';

/**
 * Present when events about the customer are parked (a read model could not apply them) and not
 * shown yet: the answer may be incomplete until they are replayed.
 */
export class CustomerStalenessDto {
  @ApiProperty({ enum: [true], description: 'Always true when present' }) stale!: true;
  @ApiProperty({ type: 'integer', minimum: 1, description: 'Events about the customer not applied yet (parked)', example: 2 }) parkedEvents!: number;
  @ApiProperty({ format: 'date-time', description: 'When the oldest of them was parked', example: '2026-05-02T08:00:00.000Z' }) since!: string;
  @ApiProperty({ type: [String], description: 'The consumers (projections, relay) holding them, sorted', example: ['sales.timeline'] }) consumers!: string[];
}

/**
 * Who did what an event records, as its metadata stores it: a staff member with their department,
 * a partner's user with the partner, a customer, or one of the company's processes (`system`).
 */
export class RecordedActorDto {
  @ApiProperty({ enum: ACTOR_KINDS, example: 'staff' }) type!: string;
  @ApiProperty({ description: 'The staff user, partner user (or client id), customer, or process', example: 'alice' }) id!: string;
  @ApiPropertyOptional({ enum: DEPARTMENTS, description: 'Staff: their department', example: 'sales' }) department?: string;
  @ApiPropertyOptional({ description: 'A partner user: the partner organisation they act for' }) partnerId?: string;
}

/** Who acted in an interaction, as recorded with it (defaults to who recorded it). */
export class InteractionActorDto {
  @ApiProperty({ enum: ACTOR_KINDS, example: 'staff' }) kind!: string;
  @ApiProperty({ description: 'The staff user, partner user, customer or process', example: 'alice' }) id!: string;
}

export class CustomerTimelineInteractionDto {
  @ApiProperty({ format: 'uuid', example: '1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d' }) interactionId!: string;
  @ApiProperty({ enum: CHANNELS, example: 'phone' }) channel!: string;
  @ApiProperty({ enum: DIRECTIONS, example: 'outbound' }) direction!: string;
  @ApiProperty({ type: InteractionActorDto, description: 'Who acted' }) actor!: InteractionActorDto;
  @ApiProperty({ maxLength: 2000, description: 'What was done', example: 'qualification call' }) action!: string;
  @ApiPropertyOptional({
    maxLength: 2000,
    description: 'What came back; personal data (`[erased]` after an erasure)',
    example: 'budget confirmed',
  })
  response?: string;
  @ApiProperty({ format: 'date-time', description: 'When it happened' }) occurredAt!: string;
  @ApiProperty({ type: RecordedActorDto, description: 'Who recorded it (the event’s actor, unredacted for staff)' }) recordedBy!: RecordedActorDto;
  @ApiProperty({ description: 'Position in the one order ("<commit>/<prepare>"; also a valid cursor)', example: '1042/9137' }) position!: string;
}

/** Who owns an episode: a department of the company, or a partner. */
export class CustomerTimelineOwnerDto {
  @ApiProperty({ enum: ['department', 'partner'] }) kind!: 'department' | 'partner';
  @ApiPropertyOptional({ enum: DEPARTMENTS, description: 'kind department: which one' }) department?: string;
  @ApiPropertyOptional({ description: 'kind partner: which partner' }) partnerId?: string;
}

/** A move of an opportunity from one stage of its pipeline to another. */
export class CustomerTimelineStageMoveDto {
  @ApiProperty({ description: 'Stage id it left', example: 'needs-identification' }) from!: string;
  @ApiProperty({ description: 'Stage id it moved to', example: 'proposal-creation' }) to!: string;
  @ApiProperty({ format: 'date-time', description: 'When it moved' }) advancedAt!: string;
  @ApiPropertyOptional({ enum: [true], description: 'Present on a move back to an earlier stage' }) backward?: boolean;
  @ApiPropertyOptional({ description: 'Why it moved back; personal data (`[erased]` after an erasure)' }) reason?: string;
}

/** How an episode ended. */
export class CustomerTimelineClosingDto {
  @ApiProperty({ enum: EPISODE_OUTCOMES, example: 'won' }) outcome!: string;
  @ApiProperty({ format: 'date-time' }) closedAt!: string;
  @ApiPropertyOptional({
    minimum: 0,
    description:
      'A won deal: what it was worth, in minor units of `currency` (the company’s opportunities record integers; a partner’s deal closed through the portal may carry a fraction)',
    example: 4800000,
  })
  value?: number;
  @ApiPropertyOptional({ description: 'ISO 4217 code of `value`', example: 'EUR' }) currency?: string;
  @ApiPropertyOptional({ description: 'Why it was won, lost, resolved…' }) reason?: string;
}

/** A case reopened after it was resolved. */
export class CustomerTimelineReopenedDto {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'How often (as of `asOf`)' }) count!: number;
  @ApiProperty({ format: 'date-time', description: 'The last time' }) lastReopenedAt!: string;
}

/** A step of a return and repair. */
export class CustomerTimelineReturnStepDto {
  @ApiProperty({ enum: RETURN_STEP_KINDS, example: 'ReturnAuthorised' }) kind!: string;
  @ApiProperty({ format: 'date-time', description: 'When the step happened, as its event says' }) at!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The step’s event data (without episode and customer ids): RMA, shipment, repair provider, status…',
  })
  data!: Record<string, unknown>;
}

export class CustomerTimelineEpisodeDto {
  @ApiProperty({ format: 'uuid', example: EPISODE_ID }) episodeId!: string;
  @ApiProperty({ maxLength: 200, example: 'Fleet renewal' }) name!: string;
  @ApiProperty({ enum: EPISODE_TYPES }) episodeType!: string;
  @ApiProperty({ type: CustomerTimelineOwnerDto }) owner!: CustomerTimelineOwnerDto;
  @ApiProperty({ format: 'date-time' }) openedAt!: string;
  @ApiPropertyOptional({ description: 'An opportunity: its stage (id in its pipeline) as of `asOf`', example: 'proposal-creation' }) stage?: string;
  @ApiProperty({ type: [CustomerTimelineStageMoveDto], description: 'Every stage move as of `asOf`, oldest first (`[]` for other episodes)' })
  stageHistory!: CustomerTimelineStageMoveDto[];
  @ApiPropertyOptional({
    type: CustomerTimelineClosingDto,
    description: 'Its closing; absent while open (also after a resolved case was reopened: `reopened` says when)',
  })
  closed?: CustomerTimelineClosingDto;
  @ApiPropertyOptional({ type: CustomerTimelineReopenedDto, description: 'A case reopened after it was resolved' }) reopened?: CustomerTimelineReopenedDto;
  @ApiPropertyOptional({ format: 'uuid', description: 'A return: the case it was requested from (linked episodes)' }) caseEpisodeId?: string;
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'A partner deal from an approved deal registration: the company’s opportunity it is part of (staff only)',
  })
  opportunityId?: string;
  @ApiPropertyOptional({ type: [CustomerTimelineReturnStepDto], description: 'A return: its steps as of `asOf`, oldest first' })
  returnSteps?: CustomerTimelineReturnStepDto[];
  @ApiProperty({ type: [CustomerTimelineInteractionDto], description: 'The episode’s interactions that fall in this page (a long episode spans several)' })
  interactions!: CustomerTimelineInteractionDto[];
  @ApiProperty({ description: 'Position of the opening event', example: '1040/9120' }) position!: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'When the store recorded the opening (what `asOf` reads by)' }) recordedAt?: string;
}

/** `GET /customers/{id}/timeline`: one page of the customer's shared history. */
export class CustomerTimelinePageDto {
  @ApiProperty({ format: 'uuid', description: 'The customer whose history this is (the survivor, when a merged id was named)', example: CUSTOMER_ID })
  customerId!: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'The history as it stood then (when asked with `asOf`)' }) asOf?: string;
  @ApiProperty({ enum: ['oldest-first', 'newest-first'] }) order!: 'oldest-first' | 'newest-first';
  @ApiProperty({ type: [CustomerTimelineEpisodeDto], description: "The episodes this page's entries belong to, in the page's order, each as of `asOf`" })
  episodes!: CustomerTimelineEpisodeDto[];
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Entries (openings, interactions, stage moves, closings…) in this page' }) entries!: number;
  @ApiPropertyOptional({ description: 'Pass as `cursor` for the next page; absent on the last page', example: '1042/9137' }) nextCursor?: string;
  @ApiPropertyOptional({ type: CustomerStalenessDto, description: 'Present when events about the customer are parked and not shown yet' })
  stale?: CustomerStalenessDto;
}

export const CUSTOMER_TIMELINE_EXAMPLE = {
  customerId: CUSTOMER_ID,
  order: 'oldest-first',
  episodes: [
    {
      episodeId: EPISODE_ID,
      name: 'Fleet renewal',
      episodeType: 'opportunity',
      owner: { kind: 'department', department: 'sales' },
      openedAt: '2026-05-02T09:00:00.000Z',
      stage: 'proposal-creation',
      stageHistory: [{ from: 'needs-identification', to: 'proposal-creation', advancedAt: '2026-05-03T11:00:00.000Z' }],
      closed: { outcome: 'won', closedAt: '2026-05-20T15:00:00.000Z', value: 4800000, currency: 'EUR', reason: 'best offer' },
      interactions: [
        {
          interactionId: '1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
          channel: 'phone',
          direction: 'outbound',
          actor: { kind: 'staff', id: 'alice' },
          action: 'qualification call',
          response: 'budget confirmed',
          occurredAt: '2026-05-02T10:00:00.000Z',
          recordedBy: { type: 'staff', id: 'alice', department: 'sales' },
          position: '1042/9137',
        },
      ],
      position: '1040/9120',
      recordedAt: '2026-05-02T09:00:00.120Z',
    },
  ],
  entries: 4,
};
