import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Clock } from '@crm/kernel';
import { CalendarFeedAuthenticationError, CalendarFeedCommands, READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { calendarEntries } from '@crm/relationship-read-models';
import {
  CLOCK,
  CurrentPrincipal,
  HttpProblem,
  ProblemTypes,
  Public,
  RequireDepartment,
  RequireKind,
  type HeaderResponse,
  type Principal,
  type StaffPrincipal,
} from '@crm/service-kit';
import { activityCalendar } from './activity-calendar';
import { CalendarFeedQueryDto, CalendarFeedTokenDto, CalendarUserParam } from './calendar.dto';

/** How long a completed or cancelled activity stays in a feed (by its due time), so a calendar that had it sees it end. */
const CLOSED_KEPT_MS = 30 * 86_400_000;

const ICS_EXAMPLE = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//CRM//Sales activities//EN',
  'CALSCALE:GREGORIAN',
  'X-WR-CALNAME:CRM activities of sari',
  'BEGIN:VEVENT',
  'UID:5d1e4c2a-8f3b-4e6d-9a7c-1b2c3d4e5f60@crm-activities',
  'DTSTAMP:20260301T090000Z',
  'SEQUENCE:0',
  'DTSTART:20260302T090000Z',
  'DTEND:20260302T100000Z',
  'SUMMARY:Meeting: Fleet renewal',
  'STATUS:CONFIRMED',
  'BEGIN:VALARM',
  'ACTION:DISPLAY',
  'DESCRIPTION:Meeting: Fleet renewal',
  'TRIGGER:-PT15M',
  'END:VALARM',
  'END:VEVENT',
  'END:VCALENDAR',
].join('\r\n');

/**
 * Each staff user's calendar feed (iCalendar, RFC 5545) of their own activities, for a calendar app
 * that cannot send a bearer token: the address carries a secret token the user creates, rotates and
 * revokes (`/calendar/feed-token`, with their bearer token).
 */
@ApiTags('calendar')
@Controller('calendar')
export class CalendarFeedController {
  constructor(
    private readonly feeds: CalendarFeedCommands,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('feed-token')
  @HttpCode(201)
  @ApiBearerAuth()
  @RequireKind('staff')
  @RequireDepartment('sales', 'management')
  @ApiCreatedResponse({ type: CalendarFeedTokenDto, description: "A new token for the caller's own feed, shown once; the previous one stops working at once" })
  @ApiUnauthorizedResponse({ description: 'No or a bad bearer token' })
  @ApiForbiddenResponse({ description: 'Not staff of sales or management' })
  async issue(@CurrentPrincipal() p: Principal): Promise<CalendarFeedTokenDto> {
    const { userId, token } = await this.feeds.issue(p as StaffPrincipal);
    return { userId, token, feedUrl: `/calendar/${encodeURIComponent(userId)}.ics?token=${token}` };
  }

  @Delete('feed-token')
  @HttpCode(204)
  @ApiBearerAuth()
  @RequireKind('staff')
  @RequireDepartment('sales', 'management')
  @ApiNoContentResponse({ description: "The caller's feed answers nothing any more (until a new token)" })
  @ApiUnauthorizedResponse({ description: 'No or a bad bearer token' })
  @ApiForbiddenResponse({ description: 'Not staff of sales or management' })
  async revoke(@CurrentPrincipal() p: Principal): Promise<void> {
    await this.feeds.revoke(p as StaffPrincipal);
  }

  @Get(':userId.ics')
  @Public()
  @ApiProduces('text/calendar')
  @ApiOkResponse({
    description:
      "The user's open activities and those completed or cancelled in the last 30 days: calls and meetings as VEVENTs, tasks and e-mails as VTODOs, UIDs stable, times in UTC, reminders as VALARMs",
    content: { 'text/calendar': { schema: { type: 'string' }, example: ICS_EXAMPLE } },
  })
  @ApiUnauthorizedResponse({ description: 'No token, or a wrong, rotated or revoked one, or one of another user (problem+json)' })
  async feed(@Param() { userId }: CalendarUserParam, @Query() q: CalendarFeedQueryDto, @Res({ passthrough: true }) res: HeaderResponse): Promise<string> {
    try {
      await this.feeds.authenticate(userId, q.token);
    } catch (error) {
      if (error instanceof CalendarFeedAuthenticationError) throw new HttpProblem(401, error.message, { type: ProblemTypes.unauthorized });
      throw error;
    }
    const entries = await calendarEntries(this.readModels.dataSource.manager, userId, new Date(this.clock.now().getTime() - CLOSED_KEPT_MS));
    res.setHeader('Content-Type', 'text/calendar; charset=utf-8');
    res.setHeader('Cache-Control', 'private, no-cache');
    return activityCalendar(userId, entries);
  }
}
