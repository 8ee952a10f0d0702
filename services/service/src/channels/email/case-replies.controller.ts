import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsEmail, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { ApiProblem, CurrentPrincipal, MAX_MAIL_TEXT, RequireDepartment, RequireKind, UuidParam, type Principal } from '@crm/service-kit';
import { MailCommands } from './mail-commands';

export class CaseReplyDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Client-chosen: a retried request is the same reply (one message, sent once)' })
  @IsOptional()
  @IsUUID()
  replyId?: string;

  @ApiProperty({ description: 'The reply', example: 'Please update the printer driver to 4.2; it fixes the jam.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_MAIL_TEXT)
  text!: string;

  @ApiPropertyOptional({ description: 'Default: "Re: " and the subject of the case’s latest e-mail', example: 'Re: Printer jams on every page' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  subject?: string;

  @ApiPropertyOptional({ description: 'Default: the sender of the case’s latest e-mail, else the customer’s e-mail address', example: 'budi@example.com' })
  @IsOptional()
  @IsEmail({}, { message: 'to must be an e-mail address' })
  @MaxLength(254)
  to?: string;
}

class CaseReplyResultDto {
  @ApiProperty({ example: '<5b0c…@crm.example.com>' }) messageId!: string;
  @ApiProperty({ format: 'uuid' }) interactionId!: string;
  @ApiPropertyOptional({ example: '<CAF=question@mail.example.com>' }) inReplyTo?: string;
  @ApiProperty({ example: 'budi@example.com' }) to!: string;
  @ApiProperty({ example: 'Re: Printer jams on every page' }) subject!: string;
}

/** An agent answers a case by e-mail: recorded on the case at once, sent by the mail outbox. */
@ApiTags('cases')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('service', 'management')
@Controller('cases')
export class CaseRepliesController {
  constructor(private readonly mail: MailCommands) {}

  @Post(':id/replies')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Reply by e-mail: an outbound e-mail interaction with the Message-ID and In-Reply-To it is sent with; the outbox sends it (retrying)',
  })
  @ApiCreatedResponse({ type: CaseReplyResultDto })
  @ApiProblem(400, 'A field that is not valid: naming it', { errors: [{ field: 'to', message: 'to must be an e-mail address' }] })
  @ApiProblem(401, 'No or an invalid bearer token')
  @ApiProblem(403, 'Not service or management staff')
  @ApiProblem(404, 'No such case')
  @ApiProblem(415, 'A body that is not JSON')
  @ApiProblem(422, '`episode-closed`: the case is resolved; `no-recipient`: nobody to send it to (give `to`)', { code: 'no-recipient' })
  async reply(@CurrentPrincipal() p: Principal, @UuidParam('id') id: string, @Body() dto: CaseReplyDto): Promise<CaseReplyResultDto> {
    return this.mail.queueReply(p, id, dto);
  }
}
