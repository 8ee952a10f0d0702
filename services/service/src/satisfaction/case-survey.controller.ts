import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CaseSatisfactionCommands } from '@crm/relationship-api';
import { ApiProblem, CurrentPrincipal, RequireDepartment, RequireKind, UuidParam, type Principal } from '@crm/service-kit';
import { SURVEY_LINKS } from './survey-links.provider';
import type { SurveyLinks } from './survey-links';

export interface CaseSurveyLinkView {
  episodeId: string;
  /** The signed token; the customer's link is `path` on the service's public address. */
  token: string;
  path: string;
  resolvedAt: string;
  expiresAt: string;
  answered: { score: number; ratedAt: string } | null;
}

/** Staff: the satisfaction survey link of a resolved case, to send to its customer (issue 12 §6). */
@ApiTags('satisfaction')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('service', 'management')
@Controller('cases')
export class CaseSurveyController {
  constructor(
    private readonly satisfaction: CaseSatisfactionCommands,
    @Inject(SURVEY_LINKS) private readonly links: SurveyLinks,
  ) {}

  @Get(':id/satisfaction-survey')
  @ApiOperation({ summary: 'The signed survey link of a resolved case (the same link each time; valid CRM_SURVEY_LINK_DAYS after the resolution)' })
  @ApiOkResponse({
    description: 'The link, when it expires, and the answer if one was given',
    schema: {
      type: 'object',
      properties: {
        episodeId: { type: 'string', format: 'uuid' },
        token: { type: 'string' },
        path: { type: 'string' },
        resolvedAt: { type: 'string', format: 'date-time' },
        expiresAt: { type: 'string', format: 'date-time' },
        answered: { type: 'object', nullable: true, properties: { score: { type: 'integer' }, ratedAt: { type: 'string', format: 'date-time' } } },
      },
    },
    example: {
      episodeId: '6f1c2a9e-3b7d-4c1e-9a55-0c6f2b8d4e11',
      token: 'eyJ2IjoxLCJlIjoi…fQ.m5pQ…',
      path: '/surveys/eyJ2IjoxLCJlIjoi…fQ.m5pQ…',
      resolvedAt: '2026-03-02T09:00:00.000Z',
      expiresAt: '2026-03-16T09:00:00.000Z',
      answered: null,
    },
  })
  @ApiProblem(400, 'The id is not a UUID', { errors: [{ field: 'id', message: 'id must be a UUID' }] })
  @ApiProblem(401, 'No or an invalid bearer token')
  @ApiProblem(403, 'Not staff of service or management')
  @ApiProblem(404, 'No such case (or not the company’s)')
  @ApiProblem(422, 'The case is not resolved (open, reopened, or closed unresolved)', { code: 'case-not-resolved' })
  async link(@CurrentPrincipal() p: Principal, @UuidParam('id') id: string): Promise<CaseSurveyLinkView> {
    const subject = await this.satisfaction.surveyOf(p, id);
    const { token, expiresAt } = this.links.sign(subject);
    return { episodeId: id, token, path: `/surveys/${token}`, resolvedAt: subject.resolvedAt, expiresAt, answered: subject.answered ?? null };
  }
}
