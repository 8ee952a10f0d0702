import { Body, Controller, Get, Headers, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Equals, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import type { Clock } from '@crm/kernel';
import { ApiProblem, CLOCK, Public } from '@crm/service-kit';
import { ConsentCommands } from './consent-commands';
import { CONSENT_LINKS, type ConsentLinks } from './consent-links';

export class UnsubscribeQueryDto {
  @ApiProperty({ description: 'The signed token of the link (from `List-Unsubscribe`)' }) @IsString() @IsNotEmpty() @MaxLength(1024) t!: string;
}

/** RFC 8058: the one-click POST carries exactly `List-Unsubscribe=One-Click`. */
export class OneClickDto {
  @ApiProperty({ example: 'One-Click' }) @Equals('One-Click', { message: 'List-Unsubscribe must be One-Click (RFC 8058)' }) 'List-Unsubscribe'!: string;
}

export class UnsubscribeStateDto {
  @ApiProperty({ enum: ['email', 'sms', 'phone', 'mail'] }) channel!: string;
  @ApiProperty({ required: false, description: 'Absent: every purpose of the channel' }) purpose?: string;
  @ApiProperty({ description: 'Whether the permission is off (after a POST: always true)' }) unsubscribed!: boolean;
}

/**
 * One-click unsubscribe (RFC 8058), public: the signed link is the credential. `POST` with the body
 * `List-Unsubscribe=One-Click` (form-encoded, as mail clients send it, or JSON) withdraws the
 * permission at once; `GET` only says what the link is for and never unsubscribes (link scanners
 * and previews fetch links). A link that does not verify is 403.
 */
@ApiTags('consent')
@Public()
@Controller('unsubscribe')
export class UnsubscribeController {
  constructor(
    private readonly consent: ConsentCommands,
    @Inject(CONSENT_LINKS) private readonly links: ConsentLinks,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOperation({ summary: 'What an unsubscribe link is for, and whether it is done already (changes nothing)' })
  @ApiOkResponse({ type: UnsubscribeStateDto, schema: { example: { channel: 'email', purpose: 'newsletter', unsubscribed: false } } })
  @ApiProblem(400, 'No token', { errors: [{ field: 't', message: 't should not be empty' }] })
  @ApiProblem(403, 'The link is not valid')
  async describe(@Query() q: UnsubscribeQueryDto): Promise<UnsubscribeStateDto> {
    const link = this.links.readUnsubscribe(q.t, this.clock.now());
    return { channel: link.channel, ...(link.purpose !== undefined && { purpose: link.purpose }), unsubscribed: await this.consent.unsubscribed(link) };
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'One-click unsubscribe (RFC 8058 List-Unsubscribe-Post): the permission is withdrawn before the next message' })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({ type: OneClickDto, examples: { oneClick: { value: { 'List-Unsubscribe': 'One-Click' } } } })
  @ApiOkResponse({ type: UnsubscribeStateDto, schema: { example: { channel: 'email', purpose: 'newsletter', unsubscribed: true } } })
  @ApiProblem(400, 'No token, or a body that is not List-Unsubscribe=One-Click', {
    errors: [{ field: 'List-Unsubscribe', message: 'List-Unsubscribe must be One-Click (RFC 8058)' }],
  })
  @ApiProblem(403, 'The link is not valid')
  @ApiProblem(404, 'The customer no longer exists')
  @ApiProblem(415, 'A body that is neither form-encoded nor JSON')
  async unsubscribe(
    @Query() q: UnsubscribeQueryDto,
    @Body() _body: OneClickDto,
    @Headers('x-correlation-id') correlationId: string | undefined,
  ): Promise<UnsubscribeStateDto> {
    const link = this.links.readUnsubscribe(q.t, this.clock.now());
    await this.consent.unsubscribe(link, correlationId);
    return { channel: link.channel, ...(link.purpose !== undefined && { purpose: link.purpose }), unsubscribed: true };
  }
}
