import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsString, IsOptional, IsUUID, MaxLength } from 'class-validator';
import { PARTNER_KINDS, type PartnerKind } from '@crm/relationship';

export class RegisterPartnerDto {
  @ApiPropertyOptional({ description: 'Client-chosen id; generated when omitted (a second registration under the same id is refused with 422)' })
  @IsOptional()
  @IsUUID()
  partnerId?: string;
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @ApiProperty({ enum: PARTNER_KINDS }) @IsIn(PARTNER_KINDS) partnerKind!: PartnerKind;
}

export class ShareCustomerDto {
  @ApiProperty() @IsUUID() customerId!: string;
}

export class PartnerIdParam {
  @ApiProperty() @IsUUID() id!: string;
}

export class PartnerShareParams {
  @ApiProperty() @IsUUID() id!: string;
  @ApiProperty() @IsUUID() customerId!: string;
}

export class PartnerCredentialParams {
  @ApiProperty() @IsUUID() id!: string;
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(200) clientId!: string;
}

export interface PartnerView {
  partnerId: string;
  name: string;
  partnerKind: PartnerKind;
  activeClientIds: readonly string[];
  sharedCustomerIds: readonly string[];
}
