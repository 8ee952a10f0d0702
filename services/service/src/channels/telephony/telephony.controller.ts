import { Controller, Header, HttpCode, Inject, Post, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblem, Public, SERVICE_CONFIG, type ServiceConfig } from '@crm/service-kit';
import { ENTRY_MENU, IvrMenus, type IvrPosition } from '../ivr/ivr-menus';
import { providerForm } from '../provider-form';
import { CallCommands, type ProviderCall } from './call-commands';
import { ENDED_STATUSES, IvrQueryDto, ProviderCallForm, VoiceQueryDto } from './telephony.dto';
import { TelephonySignatureGuard, webhookBase } from './telephony-signature.guard';
import { twiml, TWIML_CONTENT_TYPE } from './twiml';

export const TELEPHONY_FORM_ROUTES = ['/telephony/voice', '/telephony/status', '/telephony/ivr'];

const TWIML_EXAMPLE =
  '<?xml version="1.0" encoding="UTF-8"?><Response><Gather numDigits="1" action="https://crm.example.com/telephony/ivr?menu=main&amp;path=&amp;step=0&amp;silences=0" method="POST"><Say>Welcome. For order status, press 1.</Say></Gather><Redirect method="POST">https://crm.example.com/telephony/ivr?menu=main&amp;path=&amp;step=0&amp;silences=0</Redirect></Response>';
const twimlResponse = (description: string) => ApiOkResponse({ description, content: { 'text/xml': { schema: { type: 'string' }, example: TWIML_EXAMPLE } } });

/**
 * Where a Twilio-style telephony provider calls the CRM (see docs/service.md "Connecting a telephony
 * provider"): form-encoded POSTs signed with `X-Twilio-Signature`, answered with TwiML. No bearer
 * token — the signature is the authentication.
 */
@ApiTags('telephony')
@Public()
@UseGuards(TelephonySignatureGuard)
@ApiConsumes('application/x-www-form-urlencoded')
@ApiHeader({ name: 'x-twilio-signature', required: true, description: 'base64 HMAC-SHA1 of the URL and the sorted parameters, keyed with the auth token' })
@ApiProblem(400, 'A field that is not valid: naming it', { errors: [{ field: 'CallSid', message: 'CallSid must be 1 to 64 letters, digits, _ or -' }] })
@ApiProblem(403, 'Not signed by the provider: missing or wrong X-Twilio-Signature')
@ApiProblem(415, 'Not a form: the body must be application/x-www-form-urlencoded')
@ApiProblem(503, 'Telephony is not configured (CRM_TELEPHONY_AUTH_TOKEN)')
@Controller('telephony')
export class TelephonyController {
  constructor(
    private readonly calls: CallCommands,
    private readonly ivr: IvrMenus,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  @Post('voice')
  @HttpCode(200)
  @Header('Content-Type', TWIML_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'A call comes in (the number’s voice URL): the call is offered, and the IVR’s entry menu answered' })
  @ApiBody({ type: ProviderCallForm })
  @twimlResponse('TwiML: the entry menu (`<Gather>`), or straight into the `support` queue when there is no menu')
  async voice(@Req() request: { body?: unknown }, @Query() query: VoiceQueryDto): Promise<string> {
    const form = providerForm(ProviderCallForm, request.body);
    const call = this.call(form);
    await this.calls.offer(call);
    if (ENDED_STATUSES.includes(form.CallStatus)) {
      await this.calls.end(call);
      return twiml([{ hangup: true }]);
    }
    return twiml(await this.ivr.entry(call, query.menu ?? ENTRY_MENU, this.ivrUrl(request)));
  }

  @Post('status')
  @HttpCode(200)
  @Header('Content-Type', TWIML_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Call status callback: ringing → offered, in-progress with AgentId → answered, completed/no-answer/busy/canceled/failed → CallEnded (once)',
  })
  @ApiBody({ type: ProviderCallForm })
  @twimlResponse('An empty TwiML response')
  async status(@Req() request: { body?: unknown }): Promise<string> {
    const form = providerForm(ProviderCallForm, request.body);
    const call = this.call(form);
    if (ENDED_STATUSES.includes(form.CallStatus)) await this.calls.end(call);
    else if ((form.CallStatus === 'in-progress' || form.CallStatus === 'answered') && form.AgentId) await this.calls.answer(call, form.AgentId);
    else await this.calls.offer(call);
    return twiml([]);
  }

  @Post('ivr')
  @HttpCode(200)
  @Header('Content-Type', TWIML_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'The IVR’s `<Gather action>` and `<Redirect>`: the key the caller pressed (Digits), answered with the next TwiML' })
  @ApiBody({ type: ProviderCallForm })
  @twimlResponse('TwiML: the next menu, a self-service answer, `<Enqueue>` or `<Hangup/>`')
  @ApiProblem(404, 'A call never offered')
  async gathered(@Req() request: { body?: unknown }, @Query() query: IvrQueryDto): Promise<string> {
    const form = providerForm(ProviderCallForm, request.body);
    const at: IvrPosition = { menu: query.menu, path: query.path ?? '', step: Number(query.step ?? 0), silences: Number(query.silences ?? 0) };
    return twiml(await this.ivr.respond(this.call(form), at, form.Digits || undefined, this.ivrUrl(request)));
  }

  private call(form: ProviderCallForm): ProviderCall {
    return { callId: form.CallSid, from: form.From, to: form.To };
  }

  private ivrUrl(request: unknown): (p: IvrPosition) => string {
    const base = webhookBase(request as Parameters<typeof webhookBase>[0], this.config);
    return (p) => `${base}/telephony/ivr?${new URLSearchParams({ menu: p.menu, path: p.path, step: String(p.step), silences: String(p.silences) })}`;
  }
}
