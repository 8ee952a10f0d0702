import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsNotEmpty, IsString, IsUUID, MaxLength } from 'class-validator';
import { PARTNER_USER_ROLES, type PartnerUserRole } from '@crm/relationship';

/** A user to invite: name and e-mail are the employee's personal data (sealed in the event store). */
export class InvitePartnerUserDto {
  @ApiProperty({ maxLength: 200, example: 'Dewi Lestari' }) @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @ApiProperty({ format: 'email', maxLength: 320, example: 'dewi@distributor-a.example' }) @IsEmail() @MaxLength(320) email!: string;
  @ApiProperty({ enum: PARTNER_USER_ROLES, example: 'sales', description: 'admin: everything and user management; sales: deals; service: returns and repairs' })
  @IsIn(PARTNER_USER_ROLES)
  role!: PartnerUserRole;
}

/** The first admin a channel manager invites: the role is always admin. */
export class InviteFirstAdminDto {
  @ApiProperty({ maxLength: 200, example: 'Budi Santoso' }) @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @ApiProperty({ format: 'email', maxLength: 320, example: 'budi@distributor-a.example' }) @IsEmail() @MaxLength(320) email!: string;
}

export class ChangePartnerUserRoleDto {
  @ApiProperty({ enum: PARTNER_USER_ROLES, example: 'service' }) @IsIn(PARTNER_USER_ROLES) role!: PartnerUserRole;
}

export class PartnerUserIdParam {
  @ApiProperty({ format: 'uuid' }) @IsUUID() id!: string;
}

export class PartnerUserCreated {
  @ApiProperty({ format: 'uuid', example: '3f1c9a2e-8b7d-4c55-9f0a-1d2e3f4a5b6c' }) userId!: string;
  @ApiProperty({ enum: PARTNER_USER_ROLES, example: 'sales' }) role!: PartnerUserRole;
}

export class PartnerUserView {
  @ApiProperty({ format: 'uuid', example: '3f1c9a2e-8b7d-4c55-9f0a-1d2e3f4a5b6c' }) userId!: string;
  @ApiProperty({ example: 'Dewi Lestari', description: 'Reads `[erased]` once the person was erased' }) name!: string;
  @ApiProperty({ example: 'dewi@distributor-a.example' }) email!: string;
  @ApiPropertyOptional({ enum: PARTNER_USER_ROLES, example: 'sales', description: 'Absent only for a user recorded before roles existed (no rights)' })
  role?: PartnerUserRole;
  @ApiPropertyOptional({ format: 'date-time' }) addedAt?: string;
}

export class PartnerUserList {
  @ApiProperty({ type: [PartnerUserView] }) items!: PartnerUserView[];
}

export class PartnerUserCredential {
  @ApiProperty({ example: '7d0c2f1e-…-4b1a.Xb3kQ9…', description: '`<partnerId>.<random>`' }) clientId!: string;
  @ApiProperty({ example: 'q9Zr…', description: 'Shown only in this response: store it now' }) clientSecret!: string;
  @ApiProperty({ format: 'uuid' }) userId!: string;
}
