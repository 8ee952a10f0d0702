import { IsIn, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsInstant } from './instant';

/**
 * Marketing's segments (issue 13 §2), schema version 1; docs/events.md lists them. A segment is a
 * named rule on `segment-<segmentId>` (published keyed by the segment: it carries no customer); a
 * customer's membership of it is `SegmentEntered` / `SegmentLeft` on
 * `segmentmembership-<segmentId>-<customerId>` (keyed by the customer, so a trigger reacting to an
 * entry sees it in order with that customer's other events). The rule is a JSON object of the rule
 * language of `@crm/segments` (docs/marketing.md "Segments"); the write side validates it there
 * before any append — a contract (a port) cannot import a domain library, so here it is an object.
 */
export class SegmentDefinedV1 {
  @IsString() @IsNotEmpty() @MaxLength(100) segmentId!: string;
  @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @IsOptional() @IsString() @MaxLength(2000) description?: string;
  @IsObject() rule!: Record<string, unknown>;
  @IsString() @IsNotEmpty() @MaxLength(200) definedBy!: string;
  @IsInstant() definedAt!: string;
}

/** The rule (and name) replaced as a whole; `segmentRevision` numbers the rule (2, 3, …). */
export class SegmentRevisedV1 {
  @IsString() @IsNotEmpty() @MaxLength(100) segmentId!: string;
  @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @IsOptional() @IsString() @MaxLength(2000) description?: string;
  @IsObject() rule!: Record<string, unknown>;
  @IsInt() @Min(2) segmentRevision!: number;
  @IsString() @IsNotEmpty() @MaxLength(200) revisedBy!: string;
  @IsInstant() revisedAt!: string;
}

export class SegmentArchivedV1 {
  @IsString() @IsNotEmpty() @MaxLength(100) segmentId!: string;
  @IsString() @IsNotEmpty() @MaxLength(200) archivedBy!: string;
  @IsInstant() archivedAt!: string;
}

/** Why a membership changed (`MEMBERSHIP_REASONS` of `@crm/segments`). */
export const SEGMENT_MEMBERSHIP_REASONS = ['rule-matches', 'rule-no-longer-matches', 'segment-archived'] as const;

/** A customer entered a segment, or left it: at `at`, by the rule of `segmentRevision`. */
export class SegmentMembershipChangedV1 {
  @IsString() @IsNotEmpty() @MaxLength(100) segmentId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsInt() @Min(1) @Max(1_000_000) segmentRevision!: number;
  @IsInstant() at!: string;
  @IsIn(SEGMENT_MEMBERSHIP_REASONS) reason!: string;
}

export class SegmentEnteredV1 extends SegmentMembershipChangedV1 {}
export class SegmentLeftV1 extends SegmentMembershipChangedV1 {}

export const SEGMENT_EVENTS = {
  SegmentDefined: SegmentDefinedV1,
  SegmentRevised: SegmentRevisedV1,
  SegmentArchived: SegmentArchivedV1,
  SegmentEntered: SegmentEnteredV1,
  SegmentLeft: SegmentLeftV1,
} as const;
