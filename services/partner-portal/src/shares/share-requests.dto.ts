import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { NestedObject } from '@crm/contracts';
import { SHARE_REQUEST_STATUSES, type ShareRequestStatus } from '@crm/relationship';
import { ShareScopeDto } from '../partners/partners.dto';

export class RequestShareDto {
  @ApiProperty({ format: 'uuid', description: 'The customer id the company gave you' }) @IsUUID() customerId!: string;
  @ApiProperty({ maxLength: 2000, example: 'The customer asked us to service their fleet' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  reason!: string;
}

export class ShareRequestAccepted {
  @ApiProperty({ format: 'uuid' }) requestId!: string;
  @ApiProperty({ enum: ['received'] }) status!: 'received';
}

export class ApproveShareRequestDto {
  @ApiPropertyOptional({ type: ShareScopeDto, description: 'The scope of the share the approval records (absent: every type, read-write, no expiry)' })
  @IsOptional()
  @NestedObject(() => ShareScopeDto) // an array where the object belongs is refused, naming `scope`
  scope?: ShareScopeDto;
}

export class RefuseShareRequestDto {
  @ApiProperty({ maxLength: 2000, example: 'Not a customer of your territory' }) @IsString() @IsNotEmpty() @MaxLength(2000) reason!: string;
}

export class ShareRequestIdParam {
  @ApiProperty({ format: 'uuid' }) @IsUUID() id!: string;
}

export class ShareRequestListQuery {
  @ApiPropertyOptional({ enum: SHARE_REQUEST_STATUSES }) @IsOptional() @IsIn(SHARE_REQUEST_STATUSES) status?: ShareRequestStatus;
  @ApiPropertyOptional({ format: 'uuid', description: "Staff: one partner's requests" }) @IsOptional() @IsUUID() partnerId?: string;
}

export class ShareRequestView {
  @ApiProperty({ format: 'uuid' }) requestId!: string;
  @ApiProperty({ format: 'uuid' }) partnerId!: string;
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ enum: SHARE_REQUEST_STATUSES }) status!: ShareRequestStatus;
  @ApiProperty({ format: 'date-time' }) requestedAt!: string;
  @ApiPropertyOptional({ format: 'date-time' }) decidedAt?: string;
  @ApiPropertyOptional({ description: "A refusal's reason" }) decisionReason?: string;
  @ApiPropertyOptional({ description: "An approval's scope" }) scope?: Record<string, unknown>;
}

export class ShareRequestList {
  @ApiProperty({ type: [ShareRequestView] }) items!: ShareRequestView[];
}
