import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Clock } from '@crm/kernel';
import { CaseSatisfactionCommands } from '@crm/relationship-api';
import { ApiProblem, CLOCK, HttpProblem, ProblemTypes, Public } from '@crm/service-kit';
import { SURVEY_LINKS } from './survey-links.provider';
import { SURVEY_PROBLEM, type SurveyClaims, type SurveyLinks } from './survey-links';
import { AnswerSurveyDto } from './survey.dto';

export interface SurveyView {
  question: string;
  scale: { min: 1; max: 5; labels: Record<string, string> };
  comment: { optional: true; maxLength: 2000 };
  resolvedAt: string;
  expiresAt: string;
  answered: boolean;
}

const LABELS = { '1': 'very dissatisfied', '2': 'dissatisfied', '3': 'neither', '4': 'satisfied', '5': 'very satisfied' };
const FORGED = 'The link is not one the CRM signed (or was altered)';
const GONE = 'The link expired, or the case was reopened since (the survey was for a resolution that no longer stands)';

/**
 * The customer's side of the satisfaction survey (issue 12 §6): public routes, the signed link is
 * the credential. What is asked, and the answer — recorded as an interaction of the customer and a
 * `CaseSatisfactionRated`, once per resolution (a second answer is 409: the first one stands).
 */
@ApiTags('satisfaction')
@Public()
@Controller('surveys')
export class SurveysController {
  constructor(
    private readonly satisfaction: CaseSatisfactionCommands,
    @Inject(SURVEY_LINKS) private readonly links: SurveyLinks,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get(':token')
  @ApiOperation({ summary: 'What the survey asks (JSON), for the holder of a signed link' })
  @ApiOkResponse({
    description: 'The question, the scale, and whether it was answered',
    schema: {
      type: 'object',
      properties: {
        question: { type: 'string' },
        scale: {
          type: 'object',
          properties: { min: { type: 'integer' }, max: { type: 'integer' }, labels: { type: 'object', additionalProperties: { type: 'string' } } },
        },
        comment: { type: 'object', properties: { optional: { type: 'boolean' }, maxLength: { type: 'integer' } } },
        resolvedAt: { type: 'string', format: 'date-time' },
        expiresAt: { type: 'string', format: 'date-time' },
        answered: { type: 'boolean' },
      },
    },
    example: {
      question: 'How satisfied are you with how we resolved your request?',
      scale: { min: 1, max: 5, labels: LABELS },
      comment: { optional: true, maxLength: 2000 },
      resolvedAt: '2026-03-02T09:00:00.000Z',
      expiresAt: '2026-03-16T09:00:00.000Z',
      answered: false,
    },
  })
  @ApiProblem(403, FORGED)
  @ApiProblem(404, 'The case is gone')
  @ApiProblem(410, GONE)
  async show(@Param('token') token: string): Promise<SurveyView> {
    const { claims, survey } = await this.current(token);
    return {
      question: 'How satisfied are you with how we resolved your request?',
      scale: { min: 1, max: 5, labels: LABELS },
      comment: { optional: true, maxLength: 2000 },
      resolvedAt: claims.resolvedAt,
      expiresAt: claims.expiresAt,
      answered: survey.answered !== undefined,
    };
  }

  @Post(':token')
  @HttpCode(201)
  @ApiOperation({ summary: 'Answer the survey: a score of 1–5 and an optional comment, once' })
  @ApiCreatedResponse({
    description: 'Recorded: the interaction of the answer (web, inbound, the customer) and the rating, in one append on the case',
    schema: { type: 'object', properties: { interactionId: { type: 'string', format: 'uuid' } } },
    example: { interactionId: '0b9f7c1e-8f7a-4d7e-9a55-1c6f2b8d4e22' },
  })
  @ApiProblem(400, 'A score that is not a whole number from 1 to 5, a comment too long, an unknown field: errors name it', {
    errors: [{ field: 'score', message: 'score must not be greater than 5' }],
  })
  @ApiProblem(403, FORGED)
  @ApiProblem(404, 'The case is gone')
  @ApiProblem(409, 'Already answered (the first answer stands)', { code: 'survey-already-answered' })
  @ApiProblem(410, GONE)
  async answer(
    @Param('token') token: string,
    @Body() dto: AnswerSurveyDto,
    @Headers('x-correlation-id') correlationId: string | undefined,
  ): Promise<{ interactionId: string }> {
    const claims = this.links.verify(token, this.clock.now());
    try {
      const r = await this.satisfaction.rate(
        claims.episodeId,
        { customerId: claims.customerId, score: dto.score, comment: dto.comment, resolvedAt: claims.resolvedAt },
        { correlationId },
      );
      return { interactionId: r.id };
    } catch (error) {
      throw problemOf(error);
    }
  }

  /** A genuine, unexpired link whose resolution still stands, and the case as it is (loaded once). */
  private async current(token: string): Promise<{ claims: SurveyClaims; survey: Awaited<ReturnType<CaseSatisfactionCommands['survey']>> }> {
    const claims = this.links.verify(token, this.clock.now());
    const survey = await this.satisfaction.survey(claims.episodeId);
    if (survey.customerId !== claims.customerId) throw new HttpProblem(403, 'this survey link is not valid', { type: SURVEY_PROBLEM.forged });
    if (!survey.resolved || survey.resolvedAt !== claims.resolvedAt) throw gone();
    return { claims, survey };
  }
}

function gone(): HttpProblem {
  return new HttpProblem(410, 'the case was reopened since this survey was sent: it is no longer open for answers', { type: SURVEY_PROBLEM.expired });
}

/** The decider's refusals that mean something particular to the link's holder. */
function problemOf(error: unknown): unknown {
  const rule = (error as { name?: string; rule?: string }).name === 'DomainRuleViolation' ? (error as { rule: string }).rule : undefined;
  if (rule === 'survey-already-answered') return new HttpProblem(409, (error as Error).message, { type: ProblemTypes.conflict, extensions: { code: rule } });
  if (rule === 'case-not-resolved' || rule === 'survey-for-another-resolution') return gone();
  return error;
}
