import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Controller, Headers, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiProblem, INBOUND_MAIL_TYPES, InboundMailSecretGuard, Public, readInboundMail } from '@crm/service-kit';
import { CampaignRepliesHandler, type CampaignReplyReceipt } from './campaign-replies.handler';

export const CAMPAIGN_REPLIES_PATH = '/channels/email/inbound';
const EXAMPLE_MESSAGE = '3b8e1f0a-6a51-5c1e-9d2f-0c7b9a4e2d11';

class CampaignReplyFormDto {
  @ApiProperty({
    description: 'SendGrid: the From header; Mailgun: `sender` or `from`. Must be one of the recipient’s e-mail addresses',
    example: 'Budi Santoso <budi@example.com>',
  })
  from!: string;
  @ApiPropertyOptional({ example: 'Re: Spring offer' }) subject?: string;
  @ApiPropertyOptional({ description: 'SendGrid: `text`; Mailgun: `body-plain`', example: 'Yes please, send me the brochure.' }) text?: string;
  @ApiPropertyOptional({ description: 'Used when there is no plain text' }) html?: string;
  @ApiPropertyOptional({ description: 'SendGrid: the raw header block (Message-ID, In-Reply-To, References are read from it)' }) headers?: string;
  @ApiPropertyOptional({ description: 'Mailgun', example: '<CAF=answer@mail.example.com>' }) 'Message-Id'?: string;
  @ApiPropertyOptional({ description: 'Mailgun: the campaign e-mail answered', example: `<${EXAMPLE_MESSAGE}@crm.example.com>` }) 'In-Reply-To'?: string;
  @ApiPropertyOptional({ description: 'Mailgun', example: `<${EXAMPLE_MESSAGE}@crm.example.com>` }) References?: string;
}

class CampaignReplyReceiptDto {
  @ApiProperty({ enum: ['response', 'duplicate', 'not-a-campaign-reply', 'unknown-sender'] }) outcome!: CampaignReplyReceipt['outcome'];
  @ApiProperty({ description: 'The reply’s Message-ID (derived from its content when it had none)', example: '<CAF=answer@mail.example.com>' })
  messageId!: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'The campaign answered (not for a mail that names none)' }) campaignId?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'The recipient’s campaign episode it is recorded on' }) episodeId?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'The response interaction (derived from the Message-ID)' }) interactionId?: string;
}

/**
 * Where an inbound-parse provider posts the answers customers send to campaign e-mails (issue 13 §3;
 * docs/marketing.md "E-mail replies"). Same provider formats and shared secret as the service
 * service's POST /email/inbound (@crm/service-kit mail). No bearer token: the secret is the credential.
 */
@ApiTags('channels')
@Public()
@UseGuards(InboundMailSecretGuard)
@Controller('channels/email/inbound')
export class CampaignRepliesController {
  constructor(private readonly replies: CampaignRepliesHandler) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'An e-mail reply to a campaign e-mail (SendGrid Inbound Parse or Mailgun fields): recorded as the customer’s response when In-Reply-To/References names a campaign message and the sender is the recipient',
    description:
      'The campaign message is found by the Message-ID it was sent with (`<campaignMessageId@domain>`). A sender that is not one of the recipient’s e-mail addresses is acknowledged and not recorded; ' +
      'the same e-mail posted again (same Message-ID) is recorded once. Secret: `CRM_INBOUND_MAIL_SECRET` as `?key=` or the basic-auth password.',
  })
  @ApiConsumes(...INBOUND_MAIL_TYPES)
  @ApiBody({ type: CampaignReplyFormDto })
  @ApiQuery({ name: 'key', required: false, description: 'CRM_INBOUND_MAIL_SECRET (or give it as the basic-auth password)' })
  @ApiOkResponse({
    type: CampaignReplyReceiptDto,
    description: 'Recorded (or seen before, or not recorded: see outcome); the provider need not retry',
    example: {
      outcome: 'response',
      messageId: '<CAF=answer@mail.example.com>',
      campaignId: '9a4e2d11-0c7b-4f3b-9e57-3b8e1f0a6a51',
      episodeId: 'e5c1d2a0-7b3f-5a9e-8c41-2f6d0b9e3a17',
      interactionId: '6f0e4c2a-1d3b-5e7f-9a8c-0b2d4f6e8a1c',
    },
  })
  @ApiProblem(400, 'Not well-formed multipart, or a field missing or holding NUL / a lone surrogate: naming it', {
    errors: [{ field: 'from', message: 'from (or sender) must name the sender' }],
  })
  @ApiProblem(401, 'The secret is missing or wrong')
  @ApiProblem(413, 'Larger than 25 MB, or a field longer than 1 MB')
  @ApiProblem(415, 'Neither multipart/form-data nor a form')
  @ApiProblem(503, 'Inbound mail is not configured (CRM_INBOUND_MAIL_SECRET)')
  async receive(
    @Req() req: Readable & { headers: IncomingHttpHeaders },
    @Headers('x-correlation-id') correlationId: string | undefined,
  ): Promise<CampaignReplyReceipt> {
    return this.replies.receive(await readInboundMail(req), correlationId);
  }
}
