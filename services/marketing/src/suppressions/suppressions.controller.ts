import { Body, Controller, Get, Headers, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblem, CurrentPrincipal, RequireDepartment, RequireKind, type Principal } from '@crm/service-kit';
import { UNAUTHORISED } from '../marketing.openapi';
import { EmailSuppressionCommands, type SuppressionStatus } from './email-suppression-commands';
import { ReleaseAddressDto, SuppressAddressDto, SuppressionQueryDto, SuppressionReleaseDto, SuppressionStatusDto } from './suppressions.dto';

const KEY = '3c1f7a0d9e2b4c6a8f1e3d5b7a9c0e2f4a6b8d0c2e4f6a8b0d2c4e6f8a0b2c4d';
const SUPPRESSED: SuppressionStatusDto = {
  addressKey: KEY,
  suppressed: true,
  reason: 'hard-bounce',
  since: '2026-05-02T09:00:01.000Z',
  by: 'campaign-dispatcher',
  note: '550 5.1.1 mailbox unknown',
  campaignId: '7d4c2f10-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
  messageRef: '3b8e1f0a-6a51-5c1e-9d2f-0c7b9a4e2d11',
  customerId: '3f0c9a4e-8d2b-4c61-9b7e-2a5d1c8e4f70',
};
const RELEASED: SuppressionStatusDto = {
  addressKey: KEY,
  suppressed: false,
  released: { by: 'mira', reason: 'the customer fixed the mailbox', at: '2026-05-04T09:00:00.000Z' },
  recorded: true,
};
const BAD_EMAIL = { errors: [{ field: 'email', message: 'email must be an email' }] };

function view(s: SuppressionStatus, change: boolean): SuppressionStatusDto {
  const c = s.state.suppressed ? s.state.current : undefined;
  return {
    addressKey: s.addressKey,
    suppressed: s.state.suppressed,
    ...(c && {
      reason: c.reason,
      since: c.at,
      by: c.by,
      ...(c.note !== undefined && { note: c.note }),
      ...(c.campaignId !== undefined && { campaignId: c.campaignId }),
      ...(c.messageRef !== undefined && { messageRef: c.messageRef }),
      ...(c.customerId !== undefined && { customerId: c.customerId }),
    }),
    ...(s.state.released && { released: { by: s.state.released.by, reason: s.state.released.reason, at: s.state.released.at } }),
    ...(change && { recorded: s.recorded }),
  };
}

/**
 * The e-mail suppression list (issue 13 §3): an address that hard-bounced or whose owner complained
 * is never mailed by a campaign again (`address-suppressed`) until staff release it. Staff of
 * marketing and management look an address up, suppress one by hand, release one with a reason.
 * The address travels in the request only: the list keeps its keyed hash.
 */
@ApiTags('suppressions')
@ApiExtraModels(SuppressionStatusDto, SuppressionReleaseDto)
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('marketing', 'management')
@ApiProblem(401, UNAUTHORISED.bad)
@ApiProblem(403, 'Forbidden: not staff of marketing or management (partners never)')
@Controller('suppressions')
export class SuppressionsController {
  constructor(private readonly suppressions: EmailSuppressionCommands) {}

  @Get()
  @ApiOperation({ summary: 'Is this e-mail address on the suppression list: since when, why, what caused it' })
  @ApiOkResponse({
    description: 'What the list says of the address (read from its stream)',
    content: {
      'application/json': {
        schema: { $ref: '#/components/schemas/SuppressionStatusDto' },
        examples: {
          suppressed: { summary: 'A hard bounce suppressed it', value: SUPPRESSED },
          free: { summary: 'Never suppressed', value: { addressKey: KEY, suppressed: false } },
        },
      },
    },
  })
  @ApiProblem(400, 'Not an e-mail address: errors name the field', BAD_EMAIL)
  async get(@Query() q: SuppressionQueryDto): Promise<SuppressionStatusDto> {
    return view(await this.suppressions.status(q.email), false);
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Suppress an e-mail address by hand (reason `manual`); an address suppressed already stays as it was (recorded: false)' })
  @ApiConsumes('application/json')
  @ApiBody({
    type: SuppressAddressDto,
    examples: { manual: { value: { email: 'sari@example.com', reason: 'the customer asked by phone never to be e-mailed' } } },
  })
  @ApiOkResponse({
    description: 'The address now: suppressed (`recorded`: whether this call changed anything)',
    content: {
      'application/json': {
        schema: { $ref: '#/components/schemas/SuppressionStatusDto' },
        example: {
          addressKey: KEY,
          suppressed: true,
          reason: 'manual',
          since: '2026-05-03T09:00:00.000Z',
          by: 'mira',
          note: 'the customer asked by phone',
          recorded: true,
        },
      },
    },
  })
  @ApiProblem(400, 'A field that is not valid: errors name it', BAD_EMAIL)
  @ApiProblem(409, 'Conflict: changed by someone else at the same time')
  @ApiProblem(415, 'Unsupported Media Type: a body that is not JSON')
  async suppress(
    @CurrentPrincipal() p: Principal,
    @Body() dto: SuppressAddressDto,
    @Headers('x-correlation-id') correlationId: string | undefined,
  ): Promise<SuppressionStatusDto> {
    return view(await this.suppressions.manual(p, dto.email, dto.reason, correlationId), true);
  }

  @Post('release')
  @HttpCode(200)
  @ApiOperation({ summary: 'Take an e-mail address off the suppression list, saying why: the next campaign may mail it; not suppressed: nothing recorded' })
  @ApiConsumes('application/json')
  @ApiBody({ type: ReleaseAddressDto, examples: { release: { value: { email: 'sari@example.com', reason: 'the customer fixed the mailbox' } } } })
  @ApiOkResponse({
    description: 'The address now: released (`recorded`: whether this call changed anything)',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/SuppressionStatusDto' }, example: RELEASED } },
  })
  @ApiProblem(400, 'A field that is not valid: errors name it', { errors: [{ field: 'reason', message: 'reason should not be empty' }] })
  @ApiProblem(409, 'Conflict: changed by someone else at the same time')
  @ApiProblem(415, 'Unsupported Media Type: a body that is not JSON')
  async release(
    @CurrentPrincipal() p: Principal,
    @Body() dto: ReleaseAddressDto,
    @Headers('x-correlation-id') correlationId: string | undefined,
  ): Promise<SuppressionStatusDto> {
    return view(await this.suppressions.release(p, dto.email, dto.reason, correlationId), true);
  }
}
