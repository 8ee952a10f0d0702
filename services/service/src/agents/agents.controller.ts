import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import {
  ApiProblem,
  CurrentPrincipal,
  expectedRevisionFromIfMatch,
  RequireDepartment,
  RequireKind,
  setEtag,
  type HeaderResponse,
  type Principal,
  type StaffPrincipal,
} from '@crm/service-kit';
import { listAgents, listTeams } from '../routing/routing.queries';
import { AgentCommands } from './agent-commands';
import { contactCentreCommandErrors } from './contact-centre.openapi';
import { AgentDto, AgentIdParam, AgentListDto, AgentListQueryDto, AgentPresenceChangedDto, AgentPresenceDto, AgentProfileDto, TeamListDto } from './agents.dto';

const staff = (p: Principal) => p as StaffPrincipal;
const BAD_INPUT = { errors: [{ field: 'capacity', message: 'capacity must not be greater than 100' }] };

/**
 * The contact centre's agents (issue 12 §3): profiles (teams, skills with levels, capacity, cost)
 * set by team leads, presence set by the agent itself or a team lead, and the load the router sees.
 * Team lead: role `team-lead` or `admin`, or the management department. Staff of service and
 * management only.
 */
@ApiTags('agents')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('service', 'management')
@ApiProblem(401, 'Unauthorized: no or a bad bearer token')
@ApiProblem(403, 'Forbidden: not staff of service or management (a partner, another department)')
@Controller('agents')
export class AgentsController {
  constructor(
    private readonly agents: AgentCommands,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
  ) {}

  @Get()
  @ApiOkResponse({ type: AgentListDto, description: 'Agents by id, with presence and current load (routing read model: a moment behind the changes)' })
  @ApiProblem(400, 'Bad Request: a filter that is not valid', {
    errors: [{ field: 'presence', message: 'presence must be one of the following values: available, busy, away, offline' }],
  })
  async list(@Query() q: AgentListQueryDto): Promise<AgentListDto> {
    return { items: await listAgents(this.readModels.dataSource.manager, q) };
  }

  @Get(':id')
  @ApiOkResponse({ type: AgentDto, description: 'The agent as its history says now (`ETag`: its revision), with its load from the routing read model' })
  @ApiProblem(400, 'Bad Request: the id is not an agent id', { errors: [{ field: 'id', message: 'an agent id is the staff user id' }] })
  @ApiProblem(404, 'Not Found: no such agent')
  async get(@Param() { id }: AgentIdParam, @Res({ passthrough: true }) res: HeaderResponse): Promise<AgentDto> {
    const { revision, ...agent } = await this.agents.get(id);
    const [load] = await listAgents(this.readModels.dataSource.manager, { agentId: id });
    setEtag(res, BigInt(revision));
    return { ...agent, openCases: load?.openCases ?? 0, pendingOffers: load?.pendingOffers ?? 0 };
  }

  @Put(':id')
  @ApiOkResponse({ type: AgentDto, description: 'The profile set as a whole (the same again changes nothing); `ETag`' })
  @ApiProblem(400, 'Bad Request: a field that is not valid', BAD_INPUT)
  @ApiProblem(403, 'Forbidden: `not-team-lead` — only team leads set up agents', { code: 'not-team-lead' })
  @contactCentreCommandErrors()
  @ApiProblem(422, 'Unprocessable: a rule was broken (agent-teams-unique, agent-skills-unique, agent-cost-needs-currency)', { code: 'agent-skills-unique' })
  async put(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: AgentIdParam,
    @Body() dto: AgentProfileDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<AgentDto> {
    const r = await this.agents.setProfile(staff(p), id, dto, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    setEtag(res, r.revision);
    return this.get({ id }, res);
  }

  @Post(':id/presence')
  @HttpCode(200)
  @ApiOkResponse({ type: AgentPresenceChangedDto, description: 'Presence set (the same again changes nothing); `ETag`' })
  @ApiProblem(400, 'Bad Request: presence is not one of available, busy, away, offline', {
    errors: [{ field: 'presence', message: 'presence must be one of …' }],
  })
  @ApiProblem(403, "Forbidden: `not-own-presence` — an agent sets its own presence, a team lead anyone's", { code: 'not-own-presence' })
  @contactCentreCommandErrors('Not Found: no such agent')
  @ApiProblem(422, 'Unprocessable: `agent-inactive` — an inactive agent is only offline', { code: 'agent-inactive' })
  async presence(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: AgentIdParam,
    @Body() dto: AgentPresenceDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<AgentPresenceChangedDto> {
    const r = await this.agents.changePresence(staff(p), id, dto.presence, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    setEtag(res, r.revision);
    return { agentId: id, presence: dto.presence };
  }
}

/** Teams as the agents' profiles name them: how many agents, how many available, and their free capacity. */
@ApiTags('agents')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('service', 'management')
@ApiProblem(401, 'Unauthorized: no or a bad bearer token')
@ApiProblem(403, 'Forbidden: not staff of service or management')
@Controller('teams')
export class TeamsController {
  constructor(@Inject(READ_MODELS) private readonly readModels: ReadModelRunners) {}

  @Get()
  @ApiOkResponse({ type: TeamListDto, description: 'Teams by name (routing read model)' })
  async list(): Promise<TeamListDto> {
    return { items: await listTeams(this.readModels.dataSource.manager) };
  }
}
