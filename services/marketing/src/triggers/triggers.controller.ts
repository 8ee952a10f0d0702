import { Body, Controller, Get, Headers, HttpCode, Inject, Post, Put, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CustomerCommands, NotFoundError, READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { InvalidCursorError, type Page } from '@crm/relationship-read-models';
import {
  ApiProblem,
  badCursor,
  CurrentPrincipal,
  expectedRevisionFromIfMatch,
  IF_MATCH_HEADER,
  IfMatchCommandErrors,
  RequireDepartment,
  RequireKind,
  setEtag,
  UuidParam,
  type HeaderResponse,
  type Principal,
} from '@crm/service-kit';
import { TriggerCommands, type TriggerRuleView } from './trigger-commands';
import { listTriggerFirings, listTriggerRules, type TriggerFiringItem, type TriggerRuleListItem } from './trigger-queries';
import {
  DefineTriggerRuleDto,
  TriggerFiringListDto,
  TriggerFiringListQueryDto,
  TriggerRuleDefinitionDto,
  TriggerRuleDto,
  TriggerRuleListDto,
  TriggerRuleListQueryDto,
} from './triggers.dto';

const RULE_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const DEFINITION = {
  name: 'Thank big spenders',
  on: 'order-placed',
  conditions: { orderTotal: { min: 10000, currency: 'EUR' } },
  delay: { amount: 2, unit: 'hours' },
  cooldown: { amount: 7, unit: 'days' },
  frequencyCap: { firings: 2, days: 30 },
  action: { campaignId: 'thank-you' },
};
const EXAMPLE = { ruleId: RULE_ID, ...DEFINITION, enabled: true, revision: '0', definedAt: '2026-05-01T10:00:00.000Z', updatedAt: '2026-05-01T10:00:00.000Z' };
const FIRING_EXAMPLE = {
  eventId: '0b7c4f0e-3b1a-5a8e-9f51-2f0c4d6a1e11',
  outcome: 'fired',
  at: '2026-05-01T12:00:00.000Z',
  customerId: '3f0c9a4e-8d2b-4c61-9b7e-2a5d1c8e4f70',
  ruleId: RULE_ID,
  ruleRevision: 0,
  on: 'order-placed',
  timerId: '5b1e3c2a-7d4f-5e8a-9c6b-1a2b3c4d5e6f',
  cause: { eventId: '9d2f1a3b-4c5d-4e6f-8a7b-0c1d2e3f4a5b', type: 'OrderPlaced', position: '1042/1042', at: '2026-05-01T10:00:00.000Z' },
  facts: { orderTotal: 12500, currency: 'EUR', productIds: ['van-1'] },
  why: {
    conditions: [{ condition: 'orderTotal', expected: '≥ 10000 EUR', actual: '12500 EUR', held: true }],
    delayMinutes: 120,
    cooldown: { minutes: 10080 },
    cap: { firings: 2, days: 30, firedInWindow: 0 },
  },
  action: { campaignId: 'thank-you' },
  dueAt: '2026-05-01T12:00:00.000Z',
  firedAt: '2026-05-01T12:00:00.000Z',
};
const SKIPPED_EXAMPLE = {
  ...FIRING_EXAMPLE,
  outcome: 'skipped',
  reason: 'cooldown',
  why: { ...FIRING_EXAMPLE.why, cooldown: { minutes: 10080, lastFiredAt: '2026-05-01T12:00:00.000Z', until: '2026-05-08T12:00:00.000Z' } },
  action: undefined,
};

const ruleErrors = () =>
  IfMatchCommandErrors({
    ifMatch: { ...IF_MATCH_HEADER, description: 'The ETag ("<revision>") of the rule as last read: a stale one is 412', example: '"0"' },
    notFound: 'No such trigger rule',
  });
const BAD_BODY = { errors: [{ field: 'conditions.orderTotal.currency', message: 'currency must be an ISO 4217 currency code' }] };
const RULE_BROKEN =
  'A rule was broken; `code` names it (trigger-condition-not-applicable, trigger-condition-empty, trigger-timer-settings, trigger-active-window, trigger-duration, trigger-on-fixed, trigger-rule-exists)';

function page<T>(load: () => Promise<Page<T>>): Promise<Page<T>> {
  return load().catch((error: unknown) => {
    if (error instanceof InvalidCursorError) throw badCursor(error.message);
    throw error;
  });
}

/**
 * Event-based marketing (issue 13 §4): trigger rules — on an order, a complaint, a case closed, a
 * segment entered, a lapse, an anniversary; with conditions, delay, cooldown, frequency cap, an
 * active window — and what fired for whom and why. Staff of marketing and management only.
 */
@ApiTags('triggers')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('marketing', 'management')
@ApiUnauthorizedResponse({ description: 'No or a bad bearer token' })
@ApiProblem(403, 'Forbidden: not staff of marketing or management (partners never)')
@Controller()
export class TriggersController {
  constructor(
    private readonly triggers: TriggerCommands,
    private readonly customers: CustomerCommands,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
  ) {}

  @Post('triggers')
  @HttpCode(201)
  @ApiOperation({ summary: 'Define a trigger rule (enabled at once); with a client-chosen ruleId the same definition again creates nothing new' })
  @ApiBody({
    type: DefineTriggerRuleDto,
    examples: {
      order: { value: DEFINITION },
      lapse: { value: { name: 'Come back', on: 'lapse', lapseDays: 90, conditions: { valueTiers: ['gold', 'platinum'] }, action: { campaignId: 'win-back' } } },
    },
  })
  @ApiCreatedResponse({ type: TriggerRuleDto, description: 'Defined; Location names it; ETag for If-Match', example: EXAMPLE })
  @ApiProblem(400, 'A field that is not valid: errors name it', BAD_BODY)
  @ApiProblem(409, 'Conflict: changed by someone else at the same time')
  @ApiProblem(415, 'Unsupported Media Type: a body that is not JSON')
  @ApiProblem(422, RULE_BROKEN, { code: 'trigger-condition-not-applicable' })
  async define(
    @CurrentPrincipal() p: Principal,
    @Body() dto: DefineTriggerRuleDto,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<TriggerRuleView> {
    const { ruleId } = await this.triggers.define(p, dto, { correlationId });
    res.setHeader('Location', `/triggers/${ruleId}`);
    return this.answer(p, ruleId, res);
  }

  @Get('triggers')
  @ApiOperation({ summary: 'The trigger rules, by id, one page at a time' })
  @ApiOkResponse({
    type: TriggerRuleListDto,
    description: '`nextCursor` for the next page',
    example: {
      items: [
        {
          ruleId: RULE_ID,
          name: DEFINITION.name,
          on: 'order-placed',
          enabled: true,
          revision: '0',
          definedAt: EXAMPLE.definedAt,
          updatedAt: EXAMPLE.updatedAt,
        },
      ],
    },
  })
  @ApiProblem(400, 'A bad filter, limit or cursor', { errors: [{ field: 'cursor', message: 'cursor is not one this list gave out' }] })
  async list(@Query() q: TriggerRuleListQueryDto): Promise<Page<TriggerRuleListItem>> {
    return page(() => listTriggerRules(this.readModels.dataSource.manager, { on: q.on, enabled: q.enabled, limit: q.limit ?? 50, cursor: q.cursor }));
  }

  @Get('triggers/:id')
  @ApiOperation({ summary: 'A trigger rule as it stands (from its stream)' })
  @ApiOkResponse({ type: TriggerRuleDto, description: 'The rule; ETag for If-Match', example: EXAMPLE })
  @ApiNotFoundResponse({ description: 'No such trigger rule' })
  async get(@CurrentPrincipal() p: Principal, @UuidParam('id') id: string, @Res({ passthrough: true }) res: HeaderResponse): Promise<TriggerRuleView> {
    return this.answer(p, id, res);
  }

  @Put('triggers/:id')
  @ApiOperation({ summary: 'Replace a rule’s definition (its trigger `on` stays); the same definition again records nothing' })
  @ApiBody({ type: TriggerRuleDefinitionDto, examples: { revise: { value: { ...DEFINITION, conditions: { orderTotal: { min: 20000, currency: 'EUR' } } } } } })
  @ApiOkResponse({ type: TriggerRuleDto, description: 'Revised; ETag', example: { ...EXAMPLE, revision: '1' } })
  @ApiProblem(400, 'A field that is not valid: errors name it', BAD_BODY)
  @ruleErrors()
  @ApiProblem(422, RULE_BROKEN, { code: 'trigger-on-fixed' })
  async revise(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: TriggerRuleDefinitionDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<TriggerRuleView> {
    await this.triggers.revise(p, id, dto, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    return this.answer(p, id, res);
  }

  @Post('triggers/:id/disable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Disable a rule: no new timers; firings due later are skipped as `disabled`; lapse and anniversary timers go' })
  @ApiOkResponse({ type: TriggerRuleDto, description: 'The rule; ETag', example: { ...EXAMPLE, enabled: false, revision: '1' } })
  @ruleErrors()
  async disable(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<TriggerRuleView> {
    await this.triggers.setEnabled(p, id, false, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    return this.answer(p, id, res);
  }

  @Post('triggers/:id/enable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Enable a rule again (lapse and anniversary timers come back)' })
  @ApiOkResponse({ type: TriggerRuleDto, description: 'The rule; ETag', example: { ...EXAMPLE, revision: '2' } })
  @ruleErrors()
  async enable(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<TriggerRuleView> {
    await this.triggers.setEnabled(p, id, true, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    return this.answer(p, id, res);
  }

  @Get('triggers/:id/firings')
  @ApiOperation({ summary: 'What this rule scheduled, fired and skipped, for whom and why, newest first' })
  @ApiOkResponse({ type: TriggerFiringListDto, description: '`nextCursor` for the next page', example: { items: [FIRING_EXAMPLE, SKIPPED_EXAMPLE] } })
  @ApiNotFoundResponse({ description: 'No such trigger rule' })
  @ApiProblem(400, 'A bad outcome, limit or cursor', { errors: [{ field: 'cursor', message: 'cursor is not one this list gave out' }] })
  async ruleFirings(@CurrentPrincipal() p: Principal, @UuidParam('id') id: string, @Query() q: TriggerFiringListQueryDto): Promise<Page<TriggerFiringItem>> {
    await this.triggers.rule(p, id);
    return page(() => listTriggerFirings(this.readModels.dataSource.manager, { ruleId: id, outcome: q.outcome, limit: q.limit ?? 50, cursor: q.cursor }));
  }

  @Get('customers/:id/trigger-firings')
  @ApiOperation({ summary: 'What fired (and was scheduled or skipped) for a customer, by which rule and why, newest first' })
  @ApiOkResponse({ type: TriggerFiringListDto, description: '`nextCursor` for the next page', example: { items: [FIRING_EXAMPLE] } })
  @ApiNotFoundResponse({ description: 'No such customer' })
  @ApiProblem(400, 'A bad outcome, limit or cursor', {
    errors: [{ field: 'outcome', message: 'outcome must be one of the following values: scheduled, fired, skipped' }],
  })
  async customerFirings(@UuidParam('id') id: string, @Query() q: TriggerFiringListQueryDto): Promise<Page<TriggerFiringItem>> {
    if (!(await this.customers.exists(id))) throw new NotFoundError(`customer ${id} not found`);
    return page(() => listTriggerFirings(this.readModels.dataSource.manager, { customerId: id, outcome: q.outcome, limit: q.limit ?? 50, cursor: q.cursor }));
  }

  private async answer(p: Principal, id: string, res: HeaderResponse): Promise<TriggerRuleView> {
    const rule = await this.triggers.rule(p, id);
    setEtag(res, BigInt(rule.revision));
    return rule;
  }
}
