import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import { IsCalendarDate, IsCurrencyCode, IsMinorUnits } from '@crm/contracts';
import { PortalPageQueryDto } from '../portal/page-query.dto';

export const EXAMPLE_ID = '0b7c4f0e-3b1a-4a8e-9f51-2f0c4d6a1e11';
export const EXAMPLE_CUSTOMER = '5d0e2f6a-1c4b-4e8a-9b7d-3a2c1e0f9d88';
export const DEAL_STATUSES = ['pending', 'approved', 'rejected', 'expired'] as const;

export class DealProspectDto {
  @ApiProperty({ example: 'PT Baru Sejahtera', maxLength: 200 }) @IsString() @IsNotEmpty() @MaxLength(200) company!: string;
  @ApiProperty({ example: 'Dewi Lestari', maxLength: 200 }) @IsString() @IsNotEmpty() @MaxLength(200) contactName!: string;
  @ApiPropertyOptional({ format: 'email', example: 'dewi@baru.co.id', maxLength: 320 }) @IsOptional() @IsEmail() @MaxLength(320) contactEmail?: string;
}

/** A deal on a customer shared with the caller (`customerId`) or on a prospect (`prospect`) — exactly one of them. */
export class RegisterDealDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Client-chosen id: a retried request registers once' })
  @IsOptional()
  @IsUUID()
  registrationId?: string;
  @ApiPropertyOptional({ format: 'uuid', example: EXAMPLE_CUSTOMER, description: 'A customer shared with you (404 otherwise); or give `prospect`' })
  @IsOptional()
  @IsUUID()
  customerId?: string;
  @ApiPropertyOptional({ type: DealProspectDto, description: 'A company not among your customers; or give `customerId`' })
  @IsOptional()
  @ValidateNested()
  @Type(() => DealProspectDto)
  prospect?: DealProspectDto;
  @ApiProperty({ type: [String], example: ['VAN-L2'], minItems: 1, maxItems: 50, description: 'Product ids of the catalogue' })
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(200, { each: true })
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  products!: string[];
  @ApiProperty({ example: 5000000, minimum: 0, description: 'Integer minor units of `currency` (cents for EUR: 50,000.00 EUR is 5000000)' })
  @IsMinorUnits()
  estimatedValue!: number;
  @ApiProperty({ example: 'EUR', pattern: '^[A-Z]{3}$', description: 'ISO 4217' }) @IsCurrencyCode() currency!: string;
  @ApiProperty({ format: 'date', example: '2026-09-30', description: 'Not in the past' }) @IsCalendarDate() expectedCloseDate!: string;
}

export class RejectDealDto {
  @ApiProperty({ example: 'The customer is already in negotiation with our key account team', maxLength: 2000 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  reason!: string;
}

export class ApproveDealDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description:
      "The company's open opportunity (any department's, on the registration's customer) the deal is part of: the partner-deal episode opens linked to it",
    example: '3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c',
  })
  @IsOptional()
  @IsUUID()
  opportunityId?: string;
}

export class DealRegistrationIdParam {
  @ApiProperty({ format: 'uuid' }) @IsUUID() id!: string;
}

export class DealRegistrationListQueryDto extends PortalPageQueryDto {
  @ApiPropertyOptional({ enum: DEAL_STATUSES }) @IsOptional() @IsIn(DEAL_STATUSES) status?: (typeof DEAL_STATUSES)[number];
}

export class DealRegistrationCreatedDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID }) registrationId!: string;
  @ApiProperty({ enum: ['pending'], example: 'pending' }) status!: string;
}

/** A registration as its partner sees it: never what it conflicts with. */
export class PartnerDealRegistrationDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID }) registrationId!: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', example: EXAMPLE_CUSTOMER }) customerId!: string | null;
  @ApiProperty({ nullable: true, type: DealProspectDto, description: 'On a prospect: its company and contact (in the list: null; read one registration)' })
  prospect!: DealProspectDto | null;
  @ApiProperty({ type: [String], example: ['VAN-L2'] }) products!: string[];
  @ApiProperty({ example: 5000000, description: 'Integer minor units' }) estimatedValue!: number;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ format: 'date', example: '2026-09-30' }) expectedCloseDate!: string;
  @ApiProperty({ enum: DEAL_STATUSES, example: 'pending' }) status!: string;
  @ApiProperty({ format: 'date-time', example: '2026-06-01T09:00:00.000Z' }) registeredAt!: string;
  @ApiProperty({ format: 'date-time', example: '2026-06-06T09:00:00.000Z', description: 'Reviewed by then, or it expires' }) approvalDueAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', example: null, description: 'Approved: the deal is yours until then' })
  protectionEndsAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', example: null, description: 'Approved on a customer: your partner-deal episode' })
  episodeId!: string | null;
}

export class PartnerDealRegistrationPageDto {
  @ApiProperty({ type: [PartnerDealRegistrationDto], description: 'Newest first' }) items!: PartnerDealRegistrationDto[];
  @ApiPropertyOptional({ description: 'Pass as `cursor` for the next page; absent on the last page' }) nextCursor?: string;
}

export class DealConflictDto {
  @ApiProperty({ enum: ['opportunity', 'deal-registration'] }) kind!: string;
  @ApiProperty({ format: 'uuid', description: "The opportunity's episode, or the other registration" }) id!: string;
  @ApiPropertyOptional({ format: 'uuid', description: "The other registration's partner" }) partnerId?: string;
}

/** A registration as a channel manager reviews it: the partner, the flags and what they are about. */
export class StaffDealRegistrationDto extends PartnerDealRegistrationDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID }) partnerId!: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'On a prospect: the lead it is recorded as' }) leadId!: string | null;
  @ApiProperty({ type: [String], enum: ['conflict', 'possible-existing-customer'], example: ['conflict'] }) flags!: string[];
  @ApiProperty({ type: [DealConflictDto] }) conflicts!: DealConflictDto[];
  @ApiProperty({ type: [String], description: 'Existing customers a prospect may be (the directory search on its company and e-mail)' })
  possibleExistingCustomerIds!: string[];
  @ApiPropertyOptional({ format: 'uuid', description: 'Approved with a link (reading one registration): the opportunity its episode is linked to' })
  opportunityId?: string;
}

export class StaffDealRegistrationPageDto {
  @ApiProperty({ type: [StaffDealRegistrationDto], description: 'Newest first' }) items!: StaffDealRegistrationDto[];
  @ApiPropertyOptional() nextCursor?: string;
}
