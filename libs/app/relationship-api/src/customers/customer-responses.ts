import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { JOURNEY_STAGES, RELATIONSHIP_PHASES } from '@crm/kernel';
import { RecordedActorDto } from './customer-timeline.responses';

// The answers of the shared customer routes besides the record and the timeline: the writes
// (register, edit, contacts, identities, journey, merges), the record's changes and the duplicate
// candidates. Response shapes only: nothing here validates.

const CUSTOMER_ID = '3f0c9a4e-8d2b-4c61-9b7e-2a5d1c8e4f70';
const DUPLICATE_ID = '5d1e4c2a-8f3b-4e6d-9a7c-1b2c3d4e5f60';
const CONTACT_ID = '5a1d7c3e-2b4f-4e6a-8c9d-0f1e2d3c4b5a';
const MERGE_ID = '7c2e1f4a-9b3d-4e5f-8a6b-1c2d3e4f5a6b';

/** A write to a customer: which customer it was (as named in the request). The ETag says its revision after it. */
export class CustomerWrittenDto {
  @ApiProperty({ format: 'uuid', example: CUSTOMER_ID }) customerId!: string;
}

export const CUSTOMER_WRITTEN_EXAMPLE = { customerId: CUSTOMER_ID };

/** A contact added or replaced. */
export class CustomerContactWrittenDto {
  @ApiProperty({ format: 'uuid', example: CONTACT_ID }) contactId!: string;
}

export const CUSTOMER_CONTACT_WRITTEN_EXAMPLE = { contactId: CONTACT_ID };

/** A manual change of the journey stage: the stage it is at now. */
export class CustomerJourneyStageSetDto {
  @ApiProperty({ format: 'uuid', example: CUSTOMER_ID }) customerId!: string;
  @ApiProperty({ enum: JOURNEY_STAGES, example: 'repeat-customer' }) journeyStage!: string;
}

/** A manual change of the relationship phase: the phase it is in now. */
export class CustomerRelationshipPhaseSetDto {
  @ApiProperty({ format: 'uuid', example: CUSTOMER_ID }) customerId!: string;
  @ApiProperty({ enum: RELATIONSHIP_PHASES, example: 'expansion' }) relationshipPhase!: string;
}

/** A duplicate merged into a survivor: the merge's id undoes it (`DELETE /customers/{id}/merges/{mergeId}`). */
export class CustomerMergedDto {
  @ApiProperty({ format: 'uuid', example: MERGE_ID }) mergeId!: string;
  @ApiProperty({ format: 'uuid', description: 'The customer merged into (this one)', example: CUSTOMER_ID }) survivorId!: string;
  @ApiProperty({ format: 'uuid', description: 'The customer merged; from now on read and written as the survivor', example: DUPLICATE_ID })
  duplicateId!: string;
}

export const CUSTOMER_MERGED_EXAMPLE = { mergeId: MERGE_ID, survivorId: CUSTOMER_ID, duplicateId: DUPLICATE_ID };

/** Two customers that may be one and the same. */
export class CustomerDuplicateCandidateDto {
  @ApiProperty({ type: [String], format: 'uuid', minItems: 2, maxItems: 2, description: 'The pair', example: [CUSTOMER_ID, DUPLICATE_ID] })
  customerIds!: [string, string];
  @ApiProperty({
    type: [String],
    minItems: 2,
    maxItems: 2,
    description: 'Their names, in the order of `customerIds`',
    example: ['PT Maju Jaya', 'PT. Maju Jaya'],
  })
  names!: [string, string];
  @ApiProperty({
    minimum: 0,
    maximum: 1,
    description: '1 for a recorded suspicion (a shared identity); otherwise the similarity of the names (0–1, two decimals)',
    example: 1,
  })
  score!: number;
  @ApiProperty({ description: 'Why they are a candidate', example: 'shares an identity (recorded when it was registered or edited with force)' })
  reason!: string;
}

export const CUSTOMER_DUPLICATES_EXAMPLE = [
  {
    customerIds: [CUSTOMER_ID, DUPLICATE_ID],
    names: ['PT Maju Jaya', 'Maju Jaya'],
    score: 1,
    reason: 'shares an identity (recorded when it was registered or edited with force)',
  },
  {
    customerIds: ['0b7c4f0e-3b1a-4a8e-9f51-2f0c4d6a1e11', '6f1c2b9e-3d4a-4e8f-9a7b-1c2d3e4f5a6b'],
    names: ['CV Sinar Terang', 'CV. Sinar Terang'],
    score: 0.82,
    reason: 'similar names (82%), same kind, same organisation',
  },
];

/** One change of the customer record: an event of its stream in the event store. */
export class CustomerChangeDto {
  @ApiProperty({ description: "The customer's revision after this change (what an ETag of that moment said)", example: '1' }) revision!: string;
  @ApiProperty({ description: 'The event type', example: 'CustomerDetailsChanged' }) type!: string;
  @ApiProperty({ format: 'date-time', description: 'When the store recorded it (what `asOf` reads by)' }) recordedAt!: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'When it happened in the world' }) occurredAt?: string;
  @ApiProperty({ type: RecordedActorDto, description: 'Who made it' }) actor!: RecordedActorDto;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: "The event's data as recorded (its fields depend on `type`); personal fields read `[erased]` after an erasure",
    example: { customerId: CUSTOMER_ID, name: 'PT Maju Jaya', tags: ['key-account'] },
  })
  data!: Record<string, unknown>;
}

/** `GET /customers/{id}/changes`: one page of the record's changes, oldest first. */
export class CustomerChangesPageDto {
  @ApiProperty({ type: [CustomerChangeDto] }) changes!: CustomerChangeDto[];
  @ApiPropertyOptional({ description: 'Pass as `after` for the next page (a revision); absent on the last page', example: '1' }) nextAfter?: string;
}

export const CUSTOMER_CHANGES_EXAMPLE = {
  changes: [
    {
      revision: '0',
      type: 'CustomerRegistered',
      recordedAt: '2026-05-01T10:00:00.120Z',
      occurredAt: '2026-05-01T10:00:00.000Z',
      actor: { type: 'staff', id: 'alice', department: 'sales' },
      data: {
        customerId: CUSTOMER_ID,
        kind: 'organisation',
        name: 'PT Maju',
        contacts: [],
        identities: [],
        journeyStage: 'prospect',
        relationshipPhase: 'awareness',
        registeredBy: 'sales',
      },
    },
    {
      revision: '1',
      type: 'CustomerDetailsChanged',
      recordedAt: '2026-05-02T08:00:00.080Z',
      occurredAt: '2026-05-02T08:00:00.000Z',
      actor: { type: 'staff', id: 'alice', department: 'sales' },
      data: { customerId: CUSTOMER_ID, name: 'PT Maju Jaya', tags: ['key-account'] },
    },
  ],
  nextAfter: '1',
};
