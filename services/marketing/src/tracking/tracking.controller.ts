import { Controller, Get, Headers, Inject, Logger, Param, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { uuidV5, type Clock } from '@crm/kernel';
import { NotFoundError } from '@crm/relationship-api';
import { ApiProblem, CLOCK, HttpProblem, ProblemTypes, Public, type Principal } from '@crm/service-kit';
import { RecordCampaignResponseHandler } from '../campaigns/record-response/record-response.handler';
import { TRACKING_LINKS, type TrackedMessage, type TrackingLinks } from './tracking-links';

/** A 1×1 transparent GIF (43 bytes). */
export const TRANSPARENT_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
/** Fixed for good: the derived ids of open and click responses (one per message and kind). */
const TRACKING_NAMESPACE = '8c2f4e1a-7b3d-4a5e-9f60-1d2c3b4a5e6f';
/** Who records what the tracking links saw (the interaction's actor is the customer). */
const TRACKER: Principal = { kind: 'staff', subject: 'tracking', department: 'marketing', roles: [] };

/** The bits of the HTTP response the tracking routes write. */
interface TrackingResponse {
  setHeader(name: string, value: string | number): void;
  status(code: number): TrackingResponse;
  end(body?: Buffer): void;
}

export const responseInteractionId = (messageId: string, kind: 'opened' | 'clicked') => uuidV5(`message/${messageId}/${kind}`, TRACKING_NAMESPACE);

/**
 * Opens and clicks (issue 13 §3), public: the signed token is the credential. Each is a response —
 * an inbound interaction by the customer on its campaign episode (RecordCampaignResponseHandler),
 * recorded once per message and kind (a derived interaction id), however often the pixel is loaded
 * or the link followed. A token that does not verify is 404 and records nothing.
 */
@ApiTags('tracking')
@Public()
@Controller('t')
export class TrackingController {
  private readonly logger = new Logger('Tracking');

  constructor(
    private readonly responses: RecordCampaignResponseHandler,
    @Inject(TRACKING_LINKS) private readonly links: TrackingLinks,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('o/:token')
  @ApiOperation({ summary: 'Open pixel: a 1×1 transparent GIF; records the message opened (once per message)' })
  @ApiParam({ name: 'token', description: 'The signed open token of the message (from `openPixelUrl`)' })
  @ApiProduces('image/gif')
  @ApiResponse({ status: 200, description: 'The pixel (never cached)', content: { 'image/gif': { schema: { type: 'string', format: 'binary' } } } })
  @ApiProblem(404, 'Not a tracking link (forged or garbled): nothing is recorded')
  async open(@Param('token') token: string, @Headers('x-correlation-id') correlationId: string | undefined, @Res() res: TrackingResponse): Promise<void> {
    const message = this.read(() => this.links.readOpen(token, this.clock.now()));
    await this.record(message, 'opened', 'opened the e-mail', 'opened', correlationId);
    res.setHeader('Content-Type', 'image/gif');
    res.setHeader('Content-Length', TRANSPARENT_GIF.length);
    res.setHeader('Cache-Control', 'no-store, no-cache, must-revalidate, private');
    res.status(200).end(TRANSPARENT_GIF);
  }

  @Get('c/:token')
  @ApiOperation({ summary: 'Tracked link: records the message clicked (once per message) and redirects to the URL the link was signed with' })
  @ApiParam({ name: 'token', description: 'The signed click token (from `trackedLink`)' })
  @ApiResponse({
    status: 302,
    description: 'To the signed URL (only that one: no open redirect)',
    headers: { Location: { description: 'The URL the message linked to', schema: { type: 'string', example: 'https://shop.example.com/spring' } } },
  })
  @ApiProblem(404, 'Not a tracking link (forged, garbled, or its URL changed): nothing is recorded')
  async click(@Param('token') token: string, @Headers('x-correlation-id') correlationId: string | undefined, @Res() res: TrackingResponse): Promise<void> {
    const click = this.read(() => this.links.readClick(token, this.clock.now()));
    await this.record(click, 'clicked', 'clicked a link in the message', `clicked ${click.url}`, correlationId);
    res.setHeader('Location', click.url);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.status(302).end();
  }

  private read<T>(verify: () => T): T {
    try {
      return verify();
    } catch (error) {
      // Forged and unknown look the same: whether a link was ever ours is not told.
      if (error instanceof HttpProblem) throw new HttpProblem(404, 'not found', { type: ProblemTypes.notFound });
      throw error;
    }
  }

  private async record(message: TrackedMessage, kind: 'opened' | 'clicked', action: string, response: string, correlationId?: string): Promise<void> {
    const step = `step ${message.stepId}${message.variantId !== undefined ? `, variant ${message.variantId}` : ''}`;
    try {
      await this.responses.handle(
        TRACKER,
        message.campaignId,
        {
          customerId: message.customerId,
          channel: 'email',
          action: `${action} (${step}, message ${message.messageId})`,
          response,
          interactionId: responseInteractionId(message.messageId, kind),
        },
        { correlationId },
      );
    } catch (error) {
      // A genuine link whose campaign episode is gone (a customer erased or merged away): the customer still gets the pixel or the page.
      if (!(error instanceof NotFoundError)) throw error;
      this.logger.warn(`message ${message.messageId}: ${kind}, but its campaign episode is not there; not recorded`);
    }
  }
}
