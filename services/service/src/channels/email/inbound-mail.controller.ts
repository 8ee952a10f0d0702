import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiProblem, INBOUND_MAIL_TYPES, InboundMailSecretGuard, Public, readInboundMail } from '@crm/service-kit';
import { MailCommands, type MailReceipt } from './mail-commands';

export const INBOUND_MAIL_PATH = '/email/inbound';

class InboundMailFormDto {
  @ApiProperty({ description: 'SendGrid: the From header; Mailgun: `sender` or `from`', example: 'Budi Santoso <budi@example.com>' }) from!: string;
  @ApiPropertyOptional({ example: 'Re: Printer jams on every page' }) subject?: string;
  @ApiPropertyOptional({ description: 'SendGrid: `text`; Mailgun: `body-plain`', example: 'It still jams.' }) text?: string;
  @ApiPropertyOptional({ description: 'Used when there is no plain text' }) html?: string;
  @ApiPropertyOptional({ description: 'SendGrid: the raw header block (Message-ID, In-Reply-To, References are read from it)' }) headers?: string;
  @ApiPropertyOptional({ description: 'Mailgun', example: '<CAF=answer@mail.example.com>' }) 'Message-Id'?: string;
  @ApiPropertyOptional({ description: 'Mailgun', example: '<r1@crm.example.com>' }) 'In-Reply-To'?: string;
  @ApiPropertyOptional({ description: 'Mailgun', example: '<c1@mail.example.com> <r1@crm.example.com>' }) References?: string;
}

class MailReceiptDto {
  @ApiProperty({ enum: ['threaded', 'new-case', 'continued-case', 'duplicate', 'unknown-sender'] }) outcome!: MailReceipt['outcome'];
  @ApiProperty({ example: '<CAF=answer@mail.example.com>' }) messageId!: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'The case it was recorded on (none for an unknown sender)' }) episodeId?: string;
}

/**
 * Where an inbound-parse provider posts the e-mails customers send (see docs/service.md "Connecting
 * an inbound-mail provider"). No bearer token: the shared secret is the authentication.
 */
@ApiTags('e-mail')
@Public()
@UseGuards(InboundMailSecretGuard)
@Controller('email')
export class InboundMailController {
  constructor(private readonly mail: MailCommands) {}

  @Post('inbound')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'An inbound e-mail (SendGrid Inbound Parse or Mailgun fields): threaded into its case by In-Reply-To/References, else a known sender’s new e-mail case; an unknown sender’s mail is acknowledged and not recorded',
  })
  @ApiConsumes(...INBOUND_MAIL_TYPES)
  @ApiBody({ type: InboundMailFormDto })
  @ApiQuery({ name: 'key', required: false, description: 'CRM_INBOUND_MAIL_SECRET (or give it as the basic-auth password)' })
  @ApiOkResponse({ type: MailReceiptDto, description: 'Recorded (or seen before, or not recorded: see outcome); the provider need not retry' })
  @ApiProblem(400, 'Not well-formed multipart, or a field the CRM needs is missing: naming it', {
    errors: [{ field: 'from', message: 'from (or sender) must name the sender' }],
  })
  @ApiProblem(401, 'The secret is missing or wrong')
  @ApiProblem(413, 'Larger than 25 MB, or a field longer than 1 MB')
  @ApiProblem(415, 'Neither multipart/form-data nor a form')
  @ApiProblem(503, 'Inbound mail is not configured (CRM_INBOUND_MAIL_SECRET)')
  async receive(@Req() req: Readable & { headers: IncomingHttpHeaders }): Promise<MailReceipt> {
    return this.mail.receive(await readInboundMail(req));
  }
}
