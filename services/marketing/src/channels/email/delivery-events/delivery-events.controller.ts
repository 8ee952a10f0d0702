import { Body, Controller, Headers, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblem, Public } from '@crm/service-kit';
import { DeliveryEventResultDto, DeliveryEventsAnswerDto, EmailDeliveryEventsDto, MAX_DELIVERY_EVENTS } from './delivery-events.dto';
import { EmailDeliveryEventsHandler } from './delivery-events.handler';
import { EmailWebhookSignatureGuard } from './email-webhook-signature.guard';

const EXAMPLE_MESSAGE = '3b8e1f0a-6a51-5c1e-9d2f-0c7b9a4e2d11';

/**
 * The e-mail provider's delivery events (issue 13 §3): bounces and spam complaints it learns after
 * it accepted a campaign message. Public, the Standard Webhooks signature is the credential
 * (EmailWebhookSignatureGuard); each event is answered on its own, so one unknown message does not
 * make the provider send the whole batch again.
 */
@ApiTags('channels')
@Public()
@Controller('channels/email/events')
export class EmailDeliveryEventsController {
  constructor(private readonly events: EmailDeliveryEventsHandler) {}

  @Post()
  @HttpCode(200)
  @UseGuards(EmailWebhookSignatureGuard)
  @ApiOperation({
    summary:
      'Delivery events from the e-mail provider: a hard bounce marks the message bounced, a complaint withdraws e-mail consent; both put the address on the suppression list',
    description:
      'Signed per Standard Webhooks with `CRM_EMAIL_WEBHOOK_SECRET`: `webhook-signature: v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">`. ' +
      'A timestamp more than 5 minutes from now is refused; a replayed call changes nothing. Without the setting the route answers 404. ' +
      `At most ${MAX_DELIVERY_EVENTS} events per call. See docs/marketing.md, "Bounces and complaints".`,
  })
  @ApiConsumes('application/json')
  @ApiHeader({ name: 'webhook-id', required: true, description: "The call's unique id (the same on a retry)", example: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W' })
  @ApiHeader({ name: 'webhook-timestamp', required: true, description: 'Unix seconds when it was signed', example: '1777716843' })
  @ApiHeader({
    name: 'webhook-signature',
    required: true,
    description: 'One or more space-separated `v1,<base64>`',
    example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
  })
  @ApiBody({
    type: EmailDeliveryEventsDto,
    examples: {
      bounce: {
        summary: 'A hard bounce and a complaint',
        value: {
          events: [
            {
              type: 'bounce',
              bounceType: 'hard',
              messageId: `<${EXAMPLE_MESSAGE}@crm.example.com>`,
              at: '2026-05-02T10:14:03Z',
              reason: '550 5.1.1 mailbox unknown',
            },
            { type: 'complaint', messageId: EXAMPLE_MESSAGE, at: '2026-05-02T11:02:40Z', reason: 'abuse' },
          ],
        },
      },
    },
  })
  @ApiExtraModels(DeliveryEventsAnswerDto, DeliveryEventResultDto)
  @ApiOkResponse({
    description: 'Each event with what became of it: recorded, unchanged (known already: a replay), or ignored and why',
    content: {
      'application/json': {
        schema: { $ref: '#/components/schemas/DeliveryEventsAnswerDto' },
        example: {
          webhookId: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
          results: [
            { index: 0, type: 'bounce', messageId: EXAMPLE_MESSAGE, outcome: 'recorded' },
            { index: 1, type: 'complaint', messageId: EXAMPLE_MESSAGE, outcome: 'recorded' },
            { index: 2, type: 'bounce', messageId: '00000000-0000-4000-8000-000000000000', outcome: 'ignored', reason: 'unknown message' },
          ],
        },
      },
    },
  })
  @ApiProblem(400, 'The request is invalid: the fields named', {
    errors: [{ field: 'events.0.messageId', message: 'messageId must be a campaign message id (UUID) or the Message-ID <uuid@domain> it was sent with' }],
  })
  @ApiProblem(401, 'The webhook signature does not verify: missing, wrong, or dated more than 5 minutes from now', {
    type: 'urn:crm:problem:unauthorized',
    detail: 'the webhook signature does not verify: webhook-timestamp is more than 5 minutes from now',
  })
  @ApiProblem(404, 'Not found: no CRM_EMAIL_WEBHOOK_SECRET is set, so the route is off')
  @ApiProblem(415, 'The body must be application/json')
  async receive(
    @Body() dto: EmailDeliveryEventsDto,
    @Headers('webhook-id') webhookId: string,
    @Headers('x-correlation-id') correlationId: string | undefined,
  ): Promise<DeliveryEventsAnswerDto> {
    return { webhookId, results: await this.events.handle(dto.events, correlationId ?? webhookId) };
  }
}
