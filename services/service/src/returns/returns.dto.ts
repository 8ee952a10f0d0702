import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBooleanString, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { NestedObject, RMA_NUMBER } from '@crm/contracts';
import { CHANNELS, REPAIR_STATUSES, RETURN_LEGS, SHIPMENT_STATES, WARRANTY_BASES } from '@crm/relationship';
import { RETURN_STATUSES } from '@crm/relationship-api';
import { RETURN_SORTS } from './return-search.query';

const EXAMPLE_ID = '0b7c4f0e-3b1a-4a8e-9f51-2f0c4d6a1e11';
const oneOrMore = (values: readonly string[]) => new RegExp(`^(${values.join('|')})(,(${values.join('|')}))*$`);

// The bodies accept exactly what the contracts (libs/ports/contracts/src/return-repair-events.ts) accept.

export class ReturnItemDto {
  @ApiProperty({ description: 'A product of the catalogue', example: 'phone-x1' }) @IsString() @IsNotEmpty() @MaxLength(200) productId!: string;
  @ApiProperty({ description: 'The unit’s serial number (personal data)', example: 'X1-00042' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  serialNumber!: string;
}

export class RequestReturnDto {
  @ApiProperty({ type: ReturnItemDto }) @NestedObject(() => ReturnItemDto) item!: ReturnItemDto;
  @ApiProperty({ description: 'What is wrong with it (personal data)', example: 'does not charge' }) @IsString() @IsNotEmpty() @MaxLength(2000) fault!: string;
  @ApiPropertyOptional({ description: 'The order it was bought with (else the latest order holding the product counts)', example: EXAMPLE_ID })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  orderId?: string;
  @ApiPropertyOptional({ description: 'The line of that order', example: '1' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(20) lineId?: string;
  @ApiPropertyOptional({ enum: CHANNELS, description: 'Where the customer asked for it' }) @IsOptional() @IsIn(CHANNELS) channel?: string;
}

export class AuthoriseReturnDto {
  @ApiPropertyOptional({ enum: ['paid', 'goodwill'], description: 'Needed when the item is out of warranty: a paid repair, or goodwill' })
  @IsOptional()
  @IsIn(['paid', 'goodwill'])
  outOfWarranty?: 'paid' | 'goodwill';
  @ApiPropertyOptional({ example: 'serial checked against the order' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(500) note?: string;
}

export class DenyReturnDto {
  @ApiProperty({ example: 'water damage is not covered' }) @IsString() @IsNotEmpty() @MaxLength(500) reason!: string;
}

export class AssignRepairDto {
  @ApiProperty({ description: 'A registered service-provider partner', example: EXAMPLE_ID }) @IsString() @IsNotEmpty() @MaxLength(200) partnerId!: string;
}

export class ShipmentDto {
  @ApiProperty({ enum: RETURN_LEGS, example: 'to-company' }) @IsIn(RETURN_LEGS) leg!: (typeof RETURN_LEGS)[number];
  @ApiProperty({ enum: SHIPMENT_STATES, example: 'in-transit' }) @IsIn(SHIPMENT_STATES) state!: (typeof SHIPMENT_STATES)[number];
  @ApiPropertyOptional({ example: 'DHL' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(100) carrier?: string;
  @ApiPropertyOptional({ example: 'JD014600003828' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(100) trackingNumber?: string;
}

export class CloseReturnDto {
  @ApiProperty({ enum: ['unresolved', 'cancelled'] }) @IsIn(['unresolved', 'cancelled']) outcome!: 'unresolved' | 'cancelled';
  @ApiProperty({ example: 'the customer withdrew the return' }) @IsString() @IsNotEmpty() @MaxLength(500) reason!: string;
}

export class ReturnListQueryDto {
  @ApiPropertyOptional({ description: 'One or more statuses, comma-separated', example: 'at-provider,repaired' })
  @IsOptional()
  @MaxLength(300)
  @Matches(oneOrMore(RETURN_STATUSES), { message: `status must be one or more of ${RETURN_STATUSES.join(', ')}, comma-separated` })
  status?: string;
  @ApiPropertyOptional({ description: 'The customer (and the customers merged into it)', example: EXAMPLE_ID }) @IsOptional() @IsUUID() customerId?: string;
  @ApiPropertyOptional({ description: 'The case the returns were requested from', example: EXAMPLE_ID }) @IsOptional() @IsUUID() caseId?: string;
  @ApiPropertyOptional({ description: 'The provider the repair is with now', example: EXAMPLE_ID })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  partnerId?: string;
  @ApiPropertyOptional({ example: 'RMA-2026-0B7C4F0E' })
  @IsOptional()
  @Matches(RMA_NUMBER, { message: 'rmaNumber must look like RMA-2026-0B7C4F0E' })
  rmaNumber?: string;
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: not closed yet; false: closed' })
  @IsOptional()
  @IsBooleanString()
  @IsIn(['true', 'false'])
  open?: string;
  @ApiPropertyOptional({ enum: RETURN_SORTS, description: 'Default -requestedAt (newest first)' })
  @IsOptional()
  @IsIn(RETURN_SORTS)
  sort?: (typeof RETURN_SORTS)[number];
  @ApiPropertyOptional({ default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page (same filters and sort)' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;
}

export class ReturnListItemDto {
  @ApiProperty({ example: EXAMPLE_ID }) returnId!: string;
  @ApiProperty({ example: EXAMPLE_ID }) customerId!: string;
  @ApiProperty({ example: EXAMPLE_ID }) caseId!: string;
  @ApiProperty({ example: 'phone-x1' }) productId!: string;
  @ApiProperty({ enum: RETURN_STATUSES }) status!: string;
  @ApiProperty({ nullable: true, type: String, example: 'RMA-2026-0B7C4F0E' }) rmaNumber!: string | null;
  @ApiProperty({ nullable: true, type: String, enum: WARRANTY_BASES }) warranty!: string | null;
  @ApiProperty({ description: 'Each leg’s shipment state, by leg', example: { 'to-company': 'delivered' } }) legs!: object;
  @ApiProperty({ nullable: true, type: String }) partnerId!: string | null;
  @ApiProperty({ nullable: true, type: String, enum: REPAIR_STATUSES }) repairStatus!: string | null;
  @ApiProperty() requestedAt!: string;
  @ApiProperty() lastActivityAt!: string;
  @ApiProperty({ nullable: true, type: String, enum: ['resolved', 'unresolved', 'cancelled'] }) outcome!: string | null;
  @ApiProperty({ nullable: true, type: String }) closedAt!: string | null;
}

export class ReturnListPageDto {
  @ApiProperty({ type: [ReturnListItemDto] }) items!: ReturnListItemDto[];
  @ApiPropertyOptional({ description: 'Absent on the last page' }) nextCursor?: string;
}

export class ReturnWarrantyDto {
  @ApiProperty({ enum: WARRANTY_BASES }) basis!: string;
  @ApiProperty({ nullable: true, type: String }) orderId!: string | null;
  @ApiProperty({ nullable: true, type: String }) lineId!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '2028-03-01T00:00:00.000Z' }) warrantyEndsAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) note!: string | null;
}

export class ReturnRepairDto {
  @ApiProperty({ example: EXAMPLE_ID }) partnerId!: string;
  @ApiProperty({ enum: REPAIR_STATUSES }) status!: string;
  @ApiProperty() assignedAt!: string;
}

/** `GET /returns/{id}` and the answer to every change: the return as its own history tells it. */
export class ReturnDto {
  @ApiProperty({ example: EXAMPLE_ID }) returnId!: string;
  @ApiProperty({ example: EXAMPLE_ID }) customerId!: string;
  @ApiProperty({ example: EXAMPLE_ID, description: 'The case it was requested from' }) caseId!: string;
  @ApiProperty({ enum: RETURN_STATUSES, example: 'at-provider' }) status!: string;
  @ApiProperty({ type: ReturnItemDto }) item!: ReturnItemDto;
  @ApiProperty({ example: 'does not charge' }) fault!: string;
  @ApiProperty({ nullable: true, type: String }) orderId!: string | null;
  @ApiProperty({ nullable: true, type: String }) lineId!: string | null;
  @ApiProperty() requestedAt!: string;
  @ApiProperty({ nullable: true, type: String, example: 'RMA-2026-0B7C4F0E' }) rmaNumber!: string | null;
  @ApiProperty({ nullable: true, type: ReturnWarrantyDto }) warranty!: ReturnWarrantyDto | null;
  @ApiProperty({ nullable: true, type: String }) authorisedAt!: string | null;
  @ApiProperty({ nullable: true, type: Object, example: null }) denied!: object | null;
  @ApiProperty({
    description: 'Each leg: state, carrier, tracking number, when',
    example: { 'to-company': { state: 'delivered', carrier: 'DHL', updatedAt: '2026-03-03T10:00:00.000Z' } },
  })
  legs!: object;
  @ApiProperty({ nullable: true, type: ReturnRepairDto }) repair!: ReturnRepairDto | null;
  @ApiProperty({ type: [String] }) providers!: string[];
  @ApiProperty({ description: 'The repair’s status changes as its providers reported them', type: [Object] }) repairHistory!: object[];
  @ApiProperty({ type: [Object] }) interactions!: object[];
  @ApiProperty({ nullable: true, type: Object, example: null }) closed!: object | null;
  @ApiProperty({ description: 'The revision (also the ETag)', example: '4' }) revision!: string;
}
