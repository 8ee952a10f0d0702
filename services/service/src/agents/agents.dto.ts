import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { NestedObjects } from '@crm/contracts';
import { AGENT_PRESENCES, SLUG_ID, type AgentPresence } from '@crm/kernel';

/** A staff user's id as tokens carry it (`sub`): letters, digits and . _ @ - only, so a path never smuggles anything else. */
export const AGENT_ID = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,199}$/;
export const AGENT_ID_MESSAGE = 'an agent id is the staff user id: 1 to 200 letters, digits, dots, underscores, @ or dashes';
const SLUG_MESSAGE = (what: string) => `${what} must be lower-case letters, digits and dashes (e.g. billing)`;

export class AgentIdParam {
  @ApiProperty({ description: "The staff user's id (the token's sub)", example: 'dewi' }) @Matches(AGENT_ID, { message: AGENT_ID_MESSAGE }) id!: string;
}

export class AgentSkillDto {
  @ApiProperty({ example: 'billing' }) @Matches(SLUG_ID, { message: SLUG_MESSAGE('skill') }) skill!: string;
  @ApiProperty({ minimum: 1, maximum: 5, description: '1 (novice) … 5 (expert)', example: 4 }) @IsInt() @Min(1) @Max(5) level!: number;
}

export class AgentProfileDto {
  @ApiProperty({ example: 'Dewi Lestari' }) @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @ApiProperty({ type: [String], description: 'Teams (queues) the agent works', example: ['billing', 'first-line'] })
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(SLUG_ID, { each: true, message: SLUG_MESSAGE('each team') })
  teams!: string[];
  @ApiProperty({ type: [AgentSkillDto] }) @NestedObjects(() => AgentSkillDto) @ArrayMaxSize(50) skills!: AgentSkillDto[];
  @ApiProperty({ minimum: 1, maximum: 100, description: 'Open cases the agent may hold at once (assigned + offered)', example: 4 })
  @IsInt()
  @Min(1)
  @Max(100)
  capacity!: number;
  @ApiPropertyOptional({ description: 'Cost of an hour of the agent, integer minor units of currency (with currency)', example: 2500 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  hourlyCost?: number;
  @ApiPropertyOptional({ description: 'ISO 4217 (with hourlyCost)', example: 'EUR' })
  @IsOptional()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code in capitals' })
  currency?: string;
  @ApiProperty({ description: 'false: offered nothing any more (and taken offline)', example: true }) @IsBoolean() active!: boolean;
}

export class AgentPresenceDto {
  @ApiProperty({ enum: AGENT_PRESENCES, description: 'Only available agents are offered cases' }) @IsIn(AGENT_PRESENCES) presence!: AgentPresence;
}

export class AgentListQueryDto {
  @ApiPropertyOptional({ example: 'billing' }) @IsOptional() @Matches(SLUG_ID, { message: SLUG_MESSAGE('team') }) team?: string;
  @ApiPropertyOptional({ example: 'billing' }) @IsOptional() @Matches(SLUG_ID, { message: SLUG_MESSAGE('skill') }) skill?: string;
  @ApiPropertyOptional({ enum: AGENT_PRESENCES }) @IsOptional() @IsIn(AGENT_PRESENCES) presence?: AgentPresence;
}

export class AgentListItemDto {
  @ApiProperty({ example: 'dewi' }) agentId!: string;
  @ApiProperty({ example: 'Dewi Lestari' }) name!: string;
  @ApiProperty({ type: [String] }) teams!: string[];
  @ApiProperty({ type: [AgentSkillDto] }) skills!: AgentSkillDto[];
  @ApiProperty({ example: 4 }) capacity!: number;
  @ApiProperty({ nullable: true, type: Number }) hourlyCost!: number | null;
  @ApiProperty({ nullable: true, type: String }) currency!: string | null;
  @ApiProperty() active!: boolean;
  @ApiProperty({ enum: AGENT_PRESENCES }) presence!: string;
  @ApiProperty({ nullable: true, type: String }) presenceSince!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The later of becoming available and the last case accepted' }) idleSince!: string | null;
  @ApiProperty({ description: 'Open cases assigned to the agent', example: 1 }) openCases!: number;
  @ApiProperty({ description: 'Offers waiting for its answer', example: 0 }) pendingOffers!: number;
  @ApiProperty({ description: '(openCases + pendingOffers) / capacity', example: 0.25 }) load!: number;
}

export class AgentListDto {
  @ApiProperty({ type: [AgentListItemDto] }) items!: AgentListItemDto[];
}

export class AgentDto extends AgentProfileDto {
  @ApiProperty({ example: 'dewi' }) agentId!: string;
  @ApiProperty({ enum: AGENT_PRESENCES }) presence!: string;
  @ApiProperty({ nullable: true, type: String }) presenceSince!: string | null;
  @ApiProperty({ description: 'Open cases assigned (routing read model)', example: 1 }) openCases!: number;
  @ApiProperty({ description: 'Offers waiting for its answer (routing read model)', example: 0 }) pendingOffers!: number;
}

export class AgentPresenceChangedDto {
  @ApiProperty({ example: 'dewi' }) agentId!: string;
  @ApiProperty({ enum: AGENT_PRESENCES }) presence!: string;
}

export class TeamDto {
  @ApiProperty({ example: 'billing' }) team!: string;
  @ApiProperty({ description: 'Agents naming the team', example: 5 }) agents!: number;
  @ApiProperty({ example: 4 }) active!: number;
  @ApiProperty({ example: 2 }) available!: number;
  @ApiProperty({ description: 'Of the available agents: capacity minus open cases and pending offers', example: 5 }) availableCapacity!: number;
}

export class TeamListDto {
  @ApiProperty({ type: [TeamDto] }) items!: TeamDto[];
}
