import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { EPISODE_OUTCOMES, REPAIR_STATUSES, RETURN_LEGS, SHIPMENT_STATES } from '@crm/relationship';
import { RecordInteractionDto } from '@crm/relationship-api';

const oneOrMore = (values: readonly string[]) => new RegExp(`^(${values.join('|')})(,(${values.join('|')}))*$`);
const EXAMPLE_ID = '0b7c4f0e-3b1a-4a8e-9f51-2f0c4d6a1e11';

/** `GET /repairs`: the caller's current repair jobs. */
export class RepairJobsQueryDto {
  @ApiPropertyOptional({ description: 'One or more repair statuses, comma-separated', example: 'received,diagnosing' })
  @IsOptional()
  @MaxLength(300)
  @Matches(oneOrMore(REPAIR_STATUSES), { message: `status must be one or more of ${REPAIR_STATUSES.join(', ')}, comma-separated` })
  status?: string;
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: jobs whose return is not closed yet; false: closed ones' })
  @IsOptional()
  @IsIn(['true', 'false'])
  open?: 'true' | 'false';
  @ApiPropertyOptional({ default: 50, maximum: 100, description: 'Each listed job is re-checked against its return (see the controller): at most 100 a page' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page (same filters)' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;
}

/** `POST /repairs/{id}/status`: the repair's progress (as strict as RepairStatusChanged v1). */
export class ChangeRepairStatusDto {
  @ApiProperty({ enum: REPAIR_STATUSES, example: 'diagnosing', description: '`assigned` is set by the assignment only (422)' })
  @IsIn(REPAIR_STATUSES)
  to!: (typeof REPAIR_STATUSES)[number];
  @ApiPropertyOptional({ example: 'battery swollen: replacing it', maxLength: 2000 }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(2000) note?: string;
}

/** Who acted in an interaction the provider records: its user, the customer, or a system — never company staff. */
export const REPAIR_ACTOR_KINDS = ['partner-user', 'customer', 'system'] as const;

/** `POST /repairs/{id}/interactions`: as an episode's interaction, the actor never company staff. */
export class RecordRepairInteractionDto extends RecordInteractionDto {
  @ApiPropertyOptional({ enum: REPAIR_ACTOR_KINDS, description: 'Who acted; defaults to the caller (partner-user)' })
  @IsOptional()
  @IsIn(REPAIR_ACTOR_KINDS, { message: `actorKind must be one of ${REPAIR_ACTOR_KINDS.join(', ')} (a provider never records company staff)` })
  declare actorKind?: (typeof REPAIR_ACTOR_KINDS)[number];
}

/** `POST /repairs/{id}/shipments`: one of the provider's legs (as strict as ReturnShipmentUpdated v1). */
export class UpdateRepairShipmentDto {
  @ApiProperty({
    enum: RETURN_LEGS,
    example: 'to-customer',
    description: 'The provider records to-provider (its receipt), from-provider and to-customer; to-company is the company’s (422)',
  })
  @IsIn(RETURN_LEGS)
  leg!: (typeof RETURN_LEGS)[number];
  @ApiProperty({ enum: SHIPMENT_STATES, example: 'in-transit' }) @IsIn(SHIPMENT_STATES) state!: (typeof SHIPMENT_STATES)[number];
  @ApiPropertyOptional({ example: 'JNE', maxLength: 100 }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(100) carrier?: string;
  @ApiPropertyOptional({ example: 'JNE-0001234567', maxLength: 100 }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(100) trackingNumber?: string;
}

export class RepairShipmentLegDto {
  @ApiProperty({ enum: SHIPMENT_STATES, example: 'delivered' }) state!: string;
  @ApiPropertyOptional({ example: 'JNE' }) carrier?: string;
  @ApiPropertyOptional({ example: 'JNE-0001234567' }) trackingNumber?: string;
  @ApiProperty({ example: '2026-03-02T10:00:00.000Z' }) updatedAt!: string;
}

export class RepairLegsDto {
  @ApiPropertyOptional({ type: RepairShipmentLegDto }) 'to-company'?: RepairShipmentLegDto;
  @ApiPropertyOptional({ type: RepairShipmentLegDto }) 'to-provider'?: RepairShipmentLegDto;
  @ApiPropertyOptional({ type: RepairShipmentLegDto }) 'from-provider'?: RepairShipmentLegDto;
  @ApiPropertyOptional({ type: RepairShipmentLegDto }) 'to-customer'?: RepairShipmentLegDto;
}

export class RepairItemDto {
  @ApiProperty({ example: 'phone-x1' }) productId!: string;
  @ApiProperty({ example: 'SN-0042-1187' }) serialNumber!: string;
}

export class RepairInteractionDto {
  @ApiProperty({ example: EXAMPLE_ID }) interactionId!: string;
  @ApiProperty({ example: 'phone' }) channel!: string;
  @ApiProperty({ example: 'outbound' }) direction!: string;
  @ApiProperty({ example: { kind: 'partner-user', id: 'tech-1' } }) actor!: object;
  @ApiProperty({ example: 'asked the customer for the screen lock PIN' }) action!: string;
  @ApiPropertyOptional({ example: 'PIN given' }) response?: string;
  @ApiProperty() occurredAt!: string;
}

export class RepairClosingDto {
  @ApiProperty({ enum: EPISODE_OUTCOMES, example: 'resolved' }) outcome!: string;
  @ApiProperty() closedAt!: string;
  @ApiPropertyOptional({ example: 'the item was delivered back to the customer' }) reason?: string;
}

/** `GET /repairs/{id}` and the answer to a status or shipment change: the job as the return's own history tells it. */
export class RepairJobDto {
  @ApiProperty({ example: EXAMPLE_ID }) episodeId!: string;
  @ApiProperty({ example: EXAMPLE_ID }) customerId!: string;
  @ApiProperty({ nullable: true, type: String, example: 'Dewi Lestari', description: 'The customer’s display name: the only thing of the customer shown' })
  customerName!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'RMA-2026-000123' }) rmaNumber!: string | null;
  @ApiProperty({ type: RepairItemDto }) item!: RepairItemDto;
  @ApiProperty({ example: 'does not charge' }) fault!: string;
  @ApiProperty({ enum: REPAIR_STATUSES, example: 'diagnosing' }) status!: string;
  @ApiProperty() assignedAt!: string;
  @ApiProperty({ type: RepairLegsDto }) legs!: RepairLegsDto;
  @ApiProperty({ type: [RepairInteractionDto], description: 'The job’s own interactions (never the customer’s other history)' })
  interactions!: RepairInteractionDto[];
  @ApiProperty() openedAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty({ nullable: true, type: RepairClosingDto, description: 'null while the return is open' }) closed!: RepairClosingDto | null;
  @ApiProperty({ description: 'The revision (also the ETag)', example: '7' }) revision!: string;
}

export class RepairJobListItemDto {
  @ApiProperty({ example: EXAMPLE_ID }) episodeId!: string;
  @ApiProperty({ example: EXAMPLE_ID }) customerId!: string;
  @ApiProperty({ nullable: true, type: String, example: 'Dewi Lestari' }) customerName!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'RMA-2026-000123' }) rmaNumber!: string | null;
  @ApiProperty({ example: 'phone-x1' }) productId!: string;
  @ApiProperty({ nullable: true, type: String, enum: REPAIR_STATUSES }) status!: string | null;
  @ApiProperty({ example: { 'to-company': 'delivered', 'to-provider': 'in-transit' }, description: 'Each leg’s shipment state' }) legs!: object;
  @ApiProperty() openedAt!: string;
  @ApiProperty({ nullable: true, type: String }) assignedAt!: string | null;
  @ApiProperty() updatedAt!: string;
  @ApiProperty({ nullable: true, type: String }) closedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, enum: EPISODE_OUTCOMES }) outcome!: string | null;
}

export class RepairJobPageDto {
  @ApiProperty({ type: [RepairJobListItemDto] }) items!: RepairJobListItemDto[];
  @ApiPropertyOptional({ description: 'Absent on the last page' }) nextCursor?: string;
}

export class RepairInteractionRecordedDto {
  @ApiProperty({ example: EXAMPLE_ID }) interactionId!: string;
}
