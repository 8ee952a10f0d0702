import {
  CHANNELS,
  CONTACT_ROLES,
  DEPARTMENTS,
  DIRECTIONS,
  EPISODE_TYPES,
  EPISODE_OUTCOMES,
  JOURNEY_STAGES,
  RELATIONSHIP_PHASES,
  SALES_STAGES,
  ACTOR_KINDS,
} from '@crm/relationship';
import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsISO31661Alpha2,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { IsInstant, NestedObject, NestedObjects } from '@crm/contracts';
import { CUSTOMER_SORTS } from '@crm/relationship-read-models';
import { CustomerStalenessDto } from './customers/customer-timeline.responses';

/** Tags: lower-case letters, digits, spaces, dots and dashes; 1–50 characters. */
const TAG = /^[\p{Ll}\p{Lo}\p{Nd}][\p{Ll}\p{Lo}\p{Nd} ._-]{0,49}$/u;
const TAG_MESSAGE = 'each tag is 1–50 lower-case letters, digits, spaces, dots or dashes';

/** Letter-safe text: no control characters (a NUL or a tab would break the print house's file). */
const PRINTABLE = /^[^\p{Cc}]*$/u;
const PRINTABLE_MESSAGE = 'must not contain control characters';

/** A postal address (a contact's, or the customer's own), where the mail channel's letters go. Personal data: sealed, erased with the customer. */
export class PostalAddressDto {
  @ApiProperty({
    type: [String],
    minItems: 1,
    maxItems: 4,
    description: 'Street, building, PO box…: 1–4 lines, each at most 100 characters',
    example: ['Jl. Merdeka 5', 'RT 2 / RW 3'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(4)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(100, { each: true })
  @Matches(PRINTABLE, { each: true, message: `each line ${PRINTABLE_MESSAGE}` })
  lines!: string[];
  @ApiPropertyOptional({ example: '10110' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(20)
  @Matches(PRINTABLE, { message: `postalCode ${PRINTABLE_MESSAGE}` })
  postalCode?: string;
  @ApiProperty({ description: 'City, town or village', example: 'Jakarta Pusat' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @Matches(PRINTABLE, { message: `locality ${PRINTABLE_MESSAGE}` })
  locality!: string;
  @ApiPropertyOptional({ description: 'State, province or county where the country uses one', example: 'DKI Jakarta' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @Matches(PRINTABLE, { message: `region ${PRINTABLE_MESSAGE}` })
  region?: string;
  @ApiProperty({ description: 'ISO 3166-1 alpha-2, upper case', example: 'ID', pattern: '^[A-Z]{2}$' })
  @IsISO31661Alpha2()
  @Matches(/^[A-Z]{2}$/, { message: 'country must be an upper-case ISO 3166-1 alpha-2 code' })
  country!: string;
}

export class ContactDto {
  @ApiPropertyOptional({ description: 'Generated when omitted' }) @IsOptional() @IsUUID() contactId?: string;
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @ApiPropertyOptional({ description: 'As the organisation calls it ("head of procurement")' }) @IsOptional() @IsString() @MaxLength(100) role?: string;
  @ApiPropertyOptional({ enum: CONTACT_ROLES, isArray: true, description: 'The parts the contact plays in buying decisions' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(CONTACT_ROLES.length)
  @ArrayUnique()
  @IsIn(CONTACT_ROLES, { each: true })
  roles?: (typeof CONTACT_ROLES)[number][];
  @ApiPropertyOptional() @IsOptional() @IsEmail() email?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(40) phone?: string;
  @ApiPropertyOptional({ type: PostalAddressDto, description: 'Where letters reach the contact (the mail channel); personal data' })
  @IsOptional()
  @NestedObject(() => PostalAddressDto)
  address?: PostalAddressDto;
}

export class IdentityDto {
  @ApiProperty({ enum: ['email', 'phone', 'external-id'] }) @IsIn(['email', 'phone', 'external-id']) kind!: 'email' | 'phone' | 'external-id';
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(200) value!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) system?: string;
}

export class RegisterCustomerDto {
  @ApiPropertyOptional({ description: 'Client-chosen id (makes retries idempotent); generated when omitted' }) @IsOptional() @IsUUID() customerId?: string;
  @ApiProperty({ enum: ['person', 'organisation'] }) @IsIn(['person', 'organisation']) kind!: 'person' | 'organisation';
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @ApiPropertyOptional({ type: [ContactDto] }) @IsOptional() @ArrayMaxSize(100) @NestedObjects(() => ContactDto) contacts?: ContactDto[];
  @ApiPropertyOptional({ type: [IdentityDto] }) @IsOptional() @ArrayMaxSize(100) @NestedObjects(() => IdentityDto) identities?: IdentityDto[];
  @ApiPropertyOptional({ enum: JOURNEY_STAGES }) @IsOptional() @IsIn(JOURNEY_STAGES) journeyStage?: (typeof JOURNEY_STAGES)[number];
  @ApiPropertyOptional({ enum: RELATIONSHIP_PHASES }) @IsOptional() @IsIn(RELATIONSHIP_PHASES) relationshipPhase?: (typeof RELATIONSHIP_PHASES)[number];
  @ApiPropertyOptional({ description: 'The account manager (a staff user id)' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) owner?: string;
  @ApiPropertyOptional({ type: [String], description: 'Lower-case words or phrases, at most 50' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(TAG, { each: true, message: TAG_MESSAGE })
  tags?: string[];
  @ApiPropertyOptional({ description: 'The parent organisation (account hierarchy)' }) @IsOptional() @IsUUID() parentId?: string;
  @ApiPropertyOptional({
    type: PostalAddressDto,
    description: "The customer's own postal address: where a person's letters go (an organisation's: where they go when no contact has one); personal data",
  })
  @IsOptional()
  @NestedObject(() => PostalAddressDto)
  address?: PostalAddressDto;
}

export class OpenEpisodeDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Client-chosen id (a retried request opens it once); generated when omitted' })
  @IsOptional()
  @IsUUID()
  episodeId?: string;
  @ApiProperty({ format: 'uuid', example: '3f0c9a4e-8d2b-4c61-9b7e-2a5d1c8e4f70' }) @IsUUID() customerId!: string;
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Fleet service contract' }) @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'Defaults to now' }) @IsOptional() @IsInstant() openedAt?: string;
  @ApiPropertyOptional({ minimum: 0, description: 'In minor units of `currency`', example: 5000000 }) @IsOptional() @IsNumber() @Min(0) expectedValue?: number;
  @ApiPropertyOptional({ maxLength: 3, example: 'EUR' }) @IsOptional() @IsString() @MaxLength(3) currency?: string;
  @ApiPropertyOptional({ enum: CHANNELS }) @IsOptional() @IsIn(CHANNELS) channel?: (typeof CHANNELS)[number];
}

export class RecordInteractionDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Client-chosen id: a retried request records the interaction once' })
  @IsOptional()
  @IsUUID()
  interactionId?: string;
  @ApiProperty({ enum: CHANNELS }) @IsIn(CHANNELS) channel!: (typeof CHANNELS)[number];
  @ApiProperty({ enum: DIRECTIONS }) @IsIn(DIRECTIONS) direction!: (typeof DIRECTIONS)[number];
  @ApiProperty({ description: 'What was done', minLength: 1, maxLength: 2000, example: 'called the buyer' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  action!: string;
  @ApiPropertyOptional({ description: 'What came back', maxLength: 2000 }) @IsOptional() @IsString() @MaxLength(2000) response?: string;
  @ApiPropertyOptional({ enum: ACTOR_KINDS, description: 'Who acted; defaults to the caller' })
  @IsOptional()
  @IsIn(ACTOR_KINDS)
  actorKind?: (typeof ACTOR_KINDS)[number];
  @ApiPropertyOptional({ maxLength: 200 }) @IsOptional() @IsString() @MaxLength(200) actorId?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'Defaults to now' }) @IsOptional() @IsInstant() occurredAt?: string;
}

export class AdvanceStageDto {
  @ApiProperty({ enum: SALES_STAGES }) @IsIn(SALES_STAGES) stage!: (typeof SALES_STAGES)[number];
}

export class CloseEpisodeDto {
  @ApiProperty({ enum: EPISODE_OUTCOMES }) @IsIn(EPISODE_OUTCOMES) outcome!: (typeof EPISODE_OUTCOMES)[number];
  @ApiPropertyOptional({ minimum: 0, description: 'A won deal: its value in minor units of `currency`', example: 5000000 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  value?: number;
  @ApiPropertyOptional({ maxLength: 3, example: 'EUR' }) @IsOptional() @IsString() @MaxLength(3) currency?: string;
  @ApiPropertyOptional({ maxLength: 500 }) @IsOptional() @IsString() @MaxLength(500) reason?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'Defaults to now' }) @IsOptional() @IsInstant() closedAt?: string;
}

export class TimelineQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'The history exactly as it stood at this instant', example: '2026-03-01T09:00:00Z' })
  @IsOptional()
  @IsInstant()
  asOf?: string;
  @ApiPropertyOptional({
    description: 'nextCursor of the previous page: a position "<commit>/<prepare>"',
    example: '1042/9137',
    pattern: '^\\d{1,18}/\\d{1,18}$',
  })
  @IsOptional()
  @IsString()
  @Matches(/^\d{1,18}\/\d{1,18}$/, { message: 'cursor must be the nextCursor of a previous page ("<commit>/<prepare>")' })
  cursor?: string;
  @ApiPropertyOptional({ description: 'Entries per page (openings, interactions, stage moves, closings)', default: 50, minimum: 1, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
  @ApiPropertyOptional({ enum: ['oldest-first', 'newest-first'], default: 'oldest-first' }) @IsOptional() @IsIn(['oldest-first', 'newest-first']) order?:
    'oldest-first' | 'newest-first';
  @ApiPropertyOptional({ enum: DEPARTMENTS, description: 'Only the episodes this department owns' })
  @IsOptional()
  @IsIn(DEPARTMENTS)
  department?: (typeof DEPARTMENTS)[number];
  @ApiPropertyOptional({ format: 'uuid', description: 'Only the episodes this partner owns' }) @IsOptional() @IsUUID() partnerId?: string;
  @ApiPropertyOptional({ enum: EPISODE_TYPES, description: 'Only episodes of this type' })
  @IsOptional()
  @IsIn(EPISODE_TYPES)
  episodeType?: (typeof EPISODE_TYPES)[number];
  @ApiPropertyOptional({ enum: CHANNELS, description: 'Only the interactions on this channel (with their episodes)' })
  @IsOptional()
  @IsIn(CHANNELS)
  channel?: (typeof CHANNELS)[number];
}

export class CustomerAsOfQueryDto {
  @ApiPropertyOptional({ description: 'The record exactly as it stood at this instant (from its history in the event store)', example: '2026-03-01T09:00:00Z' })
  @IsOptional()
  @IsInstant()
  asOf?: string;
}

export class CustomerChangesQueryDto {
  @ApiPropertyOptional({ description: 'nextAfter of the previous page: a revision', example: '7' })
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'after must be the nextAfter of a previous page (a revision)' })
  after?: string;
  @ApiPropertyOptional({ default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
}

export class DuplicatesQueryDto {
  @ApiPropertyOptional({ default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ description: 'Only pairs scoring at least this (0–1)', default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsNumber()
  @Min(0)
  @Max(1)
  minScore?: number;
}

/** A merge in force into a customer (`GET /customers/{id}/merges`): what `DELETE /customers/{id}/merges/{mergeId}` undoes. */
export class CustomerMergeViewDto {
  @ApiProperty({ format: 'uuid', example: '7c2e1f4a-9b3d-4e5f-8a6b-1c2d3e4f5a6b' }) mergeId!: string;
  @ApiProperty({ format: 'uuid', example: '5d1e4c2a-8f3b-4e6d-9a7c-1b2c3d4e5f60' }) duplicateId!: string;
  @ApiProperty({ description: "The duplicate's name as the directory has it", example: 'Maju Jaya (duplicate)' }) duplicateName!: string;
  @ApiProperty({ format: 'date-time', example: '2026-05-02T08:00:00.000Z' }) mergedAt!: string;
}

export class CustomerMergeListDto {
  @ApiProperty({ type: [CustomerMergeViewDto], description: 'Merges in force into this customer, newest first' }) items!: CustomerMergeViewDto[];
}

export class MergeCustomersDto {
  @ApiProperty({ description: 'The customer to merge into this one (the survivor); it is then read and written as the survivor' })
  @IsUUID()
  duplicateId!: string;
}

export class CustomerMergeParams {
  @ApiProperty() @IsUUID() id!: string;
  @ApiProperty() @IsUUID() mergeId!: string;
}

export class CustomerIdParam {
  @ApiProperty({ format: 'uuid' }) @IsUUID() id!: string;
}

/** `PATCH /customers/{id}`: only the fields sent change; `null` clears owner, parent or address. */
export class PatchCustomerDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) name?: string;
  @ApiPropertyOptional({ nullable: true, description: 'The account manager; null: none' })
  @ValidateIf((_o, v) => v !== null)
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  owner?: string | null;
  @ApiPropertyOptional({ type: [String], description: 'Replaces the tags' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(TAG, { each: true, message: TAG_MESSAGE })
  tags?: string[];
  @ApiPropertyOptional({ nullable: true, description: 'Parent organisation; null: none. No cycles.' })
  @ValidateIf((_o, v) => v !== null)
  @IsOptional()
  @IsUUID()
  parentId?: string | null;
  @ApiPropertyOptional({ type: PostalAddressDto, nullable: true, description: "The customer's own postal address, as a whole; null: none" })
  @ValidateIf((_o, v) => v !== null)
  @IsOptional()
  @NestedObject(() => PostalAddressDto)
  address?: PostalAddressDto | null;
}

/** A contact's full new record (`PUT`): fields left out are cleared. */
export class ContactChangeDto extends OmitType(ContactDto, ['contactId'] as const) {}

export class ForceQueryDto {
  @ApiPropertyOptional({ description: 'Take an identity another customer holds anyway, recording a suspected duplicate', default: false })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  force?: boolean;
}

export class JourneyStageChangeDto {
  @ApiProperty({ enum: JOURNEY_STAGES }) @IsIn(JOURNEY_STAGES) to!: (typeof JOURNEY_STAGES)[number];
  @ApiPropertyOptional({ description: 'Why; required to move back' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(500) reason?: string;
}

export class RelationshipPhaseChangeDto {
  @ApiProperty({ enum: RELATIONSHIP_PHASES }) @IsIn(RELATIONSHIP_PHASES) to!: (typeof RELATIONSHIP_PHASES)[number];
  @ApiPropertyOptional({ description: 'Why; required to move back (dissolution and a restart at awareness are not moves back)' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason?: string;
}

export class CustomerContactParams {
  @ApiProperty() @IsUUID() id!: string;
  @ApiProperty() @IsUUID() contactId!: string;
}

export class CustomerIdentityParams {
  @ApiProperty() @IsUUID() id!: string;
  @ApiProperty({ enum: ['email', 'phone', 'external-id'] }) @IsIn(['email', 'phone', 'external-id']) kind!: 'email' | 'phone' | 'external-id';
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(200) value!: string;
}

export class IdentitySystemQueryDto {
  @ApiPropertyOptional({ description: 'For external ids: the issuing system' }) @IsOptional() @IsString() @MaxLength(100) system?: string;
}

export class CustomerListQueryDto {
  @ApiPropertyOptional({
    description: 'Words to find in name, contact names, e-mails, phones and external ids: case and accents ignored, prefixes match, typos tolerated',
    example: 'maju jaya',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
  @ApiPropertyOptional({ enum: ['person', 'organisation'] }) @IsOptional() @IsIn(['person', 'organisation']) kind?: 'person' | 'organisation';
  @ApiPropertyOptional({ enum: JOURNEY_STAGES }) @IsOptional() @IsIn(JOURNEY_STAGES) journeyStage?: (typeof JOURNEY_STAGES)[number];
  @ApiPropertyOptional({ enum: RELATIONSHIP_PHASES }) @IsOptional() @IsIn(RELATIONSHIP_PHASES) relationshipPhase?: (typeof RELATIONSHIP_PHASES)[number];
  @ApiPropertyOptional({ description: 'Account manager' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) owner?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(TAG, { message: TAG_MESSAGE }) tag?: string;
  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    maxItems: 200,
    description:
      'Only these customers (the names of a page of rows in one request): repeat it (`ids=…&ids=…`) or separate the ids with commas; up to 200. Pass a `limit` of at least their number to have them all on one page',
    example: ['0b7c4f0e-3b1a-4a8e-9f51-2f0c4d6a1e11', '5d1e4c2a-8f3b-4e6d-9a7c-1b2c3d4e5f60'],
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value.flatMap((v: unknown) => (typeof v === 'string' ? v.split(',') : [v])) : value,
  )
  @IsArray()
  @ArrayMaxSize(200)
  @IsUUID('all', { each: true, message: 'ids must be customer ids (UUIDs)' })
  ids?: string[];
  @ApiPropertyOptional({ description: 'Only the children of this organisation' }) @IsOptional() @IsUUID() parentId?: string;
  @ApiPropertyOptional({ description: 'Registered at or after', example: '2026-01-01T00:00:00Z' }) @IsOptional() @IsInstant() registeredFrom?: string;
  @ApiPropertyOptional({ description: 'Registered before', example: '2026-04-01T00:00:00Z' }) @IsOptional() @IsInstant() registeredTo?: string;
  @ApiPropertyOptional({ enum: CUSTOMER_SORTS, description: 'Default: relevance with q, name without' })
  @IsOptional()
  @IsIn(CUSTOMER_SORTS)
  sort?: (typeof CUSTOMER_SORTS)[number];
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page', maxLength: 2000, pattern: '^[A-Za-z0-9_-]+$' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;
}

export class CustomerListItemDto {
  @ApiProperty() customerId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['person', 'organisation'] }) kind!: string;
  @ApiProperty({ enum: JOURNEY_STAGES }) journeyStage!: string;
  @ApiProperty({ enum: RELATIONSHIP_PHASES }) relationshipPhase!: string;
  @ApiProperty({ nullable: true, type: String }) owner!: string | null;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ nullable: true, type: String }) parentId!: string | null;
  @ApiProperty() registeredAt!: string;
  @ApiProperty({ nullable: true, type: String }) lastInteractionAt!: string | null;
}

/** A contact as the customer record shows it (its id always set). */
export class ContactViewDto extends OmitType(ContactDto, ['contactId'] as const) {
  @ApiProperty() contactId!: string;
}

/** `GET /customers/{id}`: the directory's record of the customer, contacts with their postal addresses. */
export class CustomerDto extends CustomerListItemDto {
  @ApiProperty({ type: [ContactViewDto], description: 'Organisations only; `[]` after an erasure of personal data' }) contacts!: ContactViewDto[];
  @ApiProperty({ type: [IdentityDto] }) identities!: IdentityDto[];
  @ApiProperty({
    type: PostalAddressDto,
    nullable: true,
    description: "The customer's own postal address (a person's letters go there); null when none, and after an erasure of personal data",
  })
  address!: PostalAddressDto | null;
  @ApiProperty({
    type: [String],
    format: 'uuid',
    description: 'Other customers found to share an identity with this one when it was registered anyway (`force`): candidates to merge',
  })
  suspectedDuplicates!: string[];
  @ApiPropertyOptional({ type: CustomerStalenessDto, description: 'Present when events about the customer are parked and not shown yet' })
  stale?: CustomerStalenessDto;
}

export class CustomerMergedIntoDto {
  @ApiProperty({ format: 'uuid', description: 'The customer it was merged into' }) survivorId!: string;
  @ApiProperty({ format: 'uuid' }) mergeId!: string;
}

/**
 * `GET /customers/{id}?asOf=…`: the record as it stood at that instant, folded from its own events
 * (not the directory, which only knows now): no `registeredAt`, `lastInteractionAt` or `stale`, and
 * absent fields where the directory says null.
 */
export class CustomerAsOfDto {
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty({ enum: ['person', 'organisation'] }) kind!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: JOURNEY_STAGES }) journeyStage!: string;
  @ApiProperty({ enum: RELATIONSHIP_PHASES }) relationshipPhase!: string;
  @ApiPropertyOptional({ description: 'The account manager (absent: none)' }) owner?: string;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiPropertyOptional({ format: 'uuid', description: 'The parent organisation (absent: none)' }) parentId?: string;
  @ApiProperty({ type: [ContactViewDto] }) contacts!: ContactViewDto[];
  @ApiProperty({ type: [IdentityDto] }) identities!: IdentityDto[];
  @ApiPropertyOptional({ type: PostalAddressDto, description: 'Absent when none, and after an erasure of personal data' }) address?: PostalAddressDto;
  @ApiPropertyOptional({ type: CustomerMergedIntoDto, description: 'Set while it was merged into another customer then' }) mergedInto?: CustomerMergedIntoDto;
  @ApiPropertyOptional({ format: 'date-time', description: 'When its personal data was last erased (by then)' }) erasedAt?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'When a person last set the journey stage (the automation holds off for a while)' })
  journeyStageSetManuallyAt?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'When a person last set the relationship phase' }) relationshipPhaseSetManuallyAt?: string;
  @ApiProperty({ description: 'The revision of the record then (a decimal string)', example: '3' }) revision!: string;
  @ApiProperty({ format: 'date-time', description: 'The instant asked for' }) asOf!: string;
}

/** What the OpenAPI document shows for `GET /customers/{id}`. */
export const CUSTOMER_EXAMPLE = {
  customerId: '3f0c9a4e-8d2b-4c61-9b7e-2a5d1c8e4f70',
  kind: 'organisation',
  name: 'PT Maju Jaya',
  journeyStage: 'repeat-customer',
  relationshipPhase: 'expansion',
  owner: 'sari',
  tags: ['key-account'],
  parentId: null,
  registeredAt: '2026-05-01T10:00:00.000Z',
  lastInteractionAt: null,
  contacts: [
    {
      contactId: '5a1d7c3e-2b4f-4e6a-8c9d-0f1e2d3c4b5a',
      name: 'Sari Wijaya',
      roles: ['buyer'],
      email: 'sari@majujaya.example',
      address: { lines: ['Jl. Merdeka 5', 'RT 2 / RW 3'], postalCode: '10110', locality: 'Jakarta Pusat', region: 'DKI Jakarta', country: 'ID' },
    },
  ],
  identities: [],
  address: { lines: ['Jl. Jend. Sudirman Kav. 52'], postalCode: '12190', locality: 'Jakarta Selatan', region: 'DKI Jakarta', country: 'ID' },
  suspectedDuplicates: [],
};

export class CustomerListPageDto {
  @ApiProperty({ type: [CustomerListItemDto] }) items!: CustomerListItemDto[];
  @ApiPropertyOptional({ description: 'Absent on the last page' }) nextCursor?: string;
}

/** The answer to an erasure of personal data. */
export class PersonalDataErasureDto {
  @ApiProperty({ description: 'The customer erased (the survivor, when a merged id was named)', example: '0b7c4f0e-3b1a-4a8e-9f51-2f0c4d6a1e11' })
  customerId!: string;
  @ApiProperty({
    description: 'Every customer whose personal data was erased: this one and those merged into it',
    example: ['0b7c4f0e-3b1a-4a8e-9f51-2f0c4d6a1e11', '5d1e4c2a-8f3b-4e6d-9a7c-1b2c3d4e5f60'],
  })
  erasedCustomerIds!: string[];
  @ApiProperty({ description: 'Keys destroyed by this request (0 when a retry finds them gone already)', example: 2 })
  keysDestroyed!: number;
}
