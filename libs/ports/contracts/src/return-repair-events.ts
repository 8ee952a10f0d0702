import { RETURN_LEGS, REPAIR_STATUSES, SHIPMENT_STATES, WARRANTY_BASES } from '@crm/kernel';
import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsInstant } from './instant';
import { NestedObject } from './nested';
import { Personal } from './personal-data';

/**
 * Return authorisation and the repair cycle with a service provider (issue 12 §5), on the stream of
 * the return's own episode (`episode-<id>`, an `EpisodeOpened` of type `return-repair`) beside
 * `InteractionRecorded` and `EpisodeClosed`. The return names the case it came from, so the case and
 * its returns are one set of linked episodes in the customer's timeline. Schema version 1;
 * docs/events.md lists them.
 */

/** An RMA number as the company issues it (`RMA-2026-000123`). */
export const RMA_NUMBER = /^RMA-[0-9]{4}-[0-9A-Z]{6,12}$/;

/** What the customer sends back: a product of the catalogue, its serial number, and what is wrong with it. */
class ReturnItemV1 {
  @IsString() @IsNotEmpty() @MaxLength(200) productId!: string;
  /** The unit's serial number: it identifies the customer's own device, so it is personal data. */
  @Personal() @IsString() @IsNotEmpty() @MaxLength(100) serialNumber!: string;
}

/** A return asked for from a case: the item, its fault, and the order it was bought with (if known). */
export class ReturnRequestedV1 {
  @IsString() @IsNotEmpty() episodeId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  /** The case (its episode) the return was requested from. */
  @IsString() @IsNotEmpty() caseEpisodeId!: string;
  @NestedObject(() => ReturnItemV1) item!: ReturnItemV1;
  @Personal() @IsString() @IsNotEmpty() @MaxLength(2000) fault!: string;
  /** The customer's order (and its line) the item was bought with, when the customer or agent named it. */
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) orderId?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(20) lineId?: string;
  @IsInstant() requestedAt!: string;
  @IsString() @IsNotEmpty() requestedBy!: string;
}

/**
 * A return authorised, with its RMA number and on what grounds: in warranty (the order and line that
 * bought the item, and when their warranty ends), out of warranty, or goodwill.
 */
export class ReturnAuthorisedV1 {
  @IsString() @IsNotEmpty() episodeId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @Matches(RMA_NUMBER) rmaNumber!: string;
  @IsIn(WARRANTY_BASES) warranty!: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) orderId?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(20) lineId?: string;
  @IsOptional() @IsInstant() warrantyEndsAt?: string;
  @IsOptional() @Personal() @IsString() @IsNotEmpty() @MaxLength(500) note?: string;
  @IsInstant() authorisedAt!: string;
  @IsString() @IsNotEmpty() authorisedBy!: string;
}

/** A return refused, with why; the return's episode closes (unresolved) in the same append. */
export class ReturnDeniedV1 {
  @IsString() @IsNotEmpty() episodeId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @Personal() @IsString() @IsNotEmpty() @MaxLength(500) reason!: string;
  @IsInstant() deniedAt!: string;
  @IsString() @IsNotEmpty() deniedBy!: string;
}

/** Where the item is on one leg of its journey (`RETURN_LEGS`), with the carrier's tracking number. */
export class ReturnShipmentUpdatedV1 {
  @IsString() @IsNotEmpty() episodeId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsIn(RETURN_LEGS) leg!: string;
  @IsIn(SHIPMENT_STATES) state!: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(100) carrier?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(100) trackingNumber?: string;
  @IsInstant() updatedAt!: string;
  /** Staff, or the repair provider's principal (`partner:<id>`) for the legs it ships. */
  @IsString() @IsNotEmpty() updatedBy!: string;
}

/**
 * The repair given to a service-provider partner. From now on that partner — and only it — sees
 * this return's repair job in the portal, for this repair only (not the customer's history); a
 * reassignment to another provider ends the first one's access.
 */
export class RepairAssignedV1 {
  @IsString() @IsNotEmpty() episodeId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsString() @IsNotEmpty() @MaxLength(200) partnerId!: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) previousPartnerId?: string;
  @IsInstant() assignedAt!: string;
  @IsString() @IsNotEmpty() assignedBy!: string;
}

/** The repair's progress as its provider reports it (`REPAIR_STATUSES`). */
export class RepairStatusChangedV1 {
  @IsString() @IsNotEmpty() episodeId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsString() @IsNotEmpty() @MaxLength(200) partnerId!: string;
  @IsIn(REPAIR_STATUSES) from!: string;
  @IsIn(REPAIR_STATUSES) to!: string;
  @IsOptional() @Personal() @IsString() @IsNotEmpty() @MaxLength(2000) note?: string;
  @IsInstant() changedAt!: string;
  @IsString() @IsNotEmpty() changedBy!: string;
}

export const RETURN_REPAIR_EVENTS = {
  ReturnRequested: ReturnRequestedV1,
  ReturnAuthorised: ReturnAuthorisedV1,
  ReturnDenied: ReturnDeniedV1,
  ReturnShipmentUpdated: ReturnShipmentUpdatedV1,
  RepairAssigned: RepairAssignedV1,
  RepairStatusChanged: RepairStatusChangedV1,
} as const;
