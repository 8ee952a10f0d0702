import { AGENT_PRESENCES, SLUG_ID } from '@crm/kernel';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsNotEmpty, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsInstant } from './instant';
import { NestedObjects } from './nested';
import { Personal } from './personal-data';

/**
 * The contact centre's own events (issue 12 §2, §3, §6): agents and their presence (stream
 * `agent-<agentId>`, published with the agent as subject), routing offers (on the case's stream
 * `caserouting-<episodeId>`, subject the customer), calls (stream `call-<callId>`, subject the
 * customer when known, else the call) and satisfaction ratings (on the case's episode stream).
 * Schema version 1; docs/events.md lists them.
 */

class AgentSkillV1 {
  @Matches(SLUG_ID) skill!: string;
  /** 1 (novice) … 5 (expert). */
  @IsInt() @Min(1) @Max(5) level!: number;
}

/** An agent's whole profile as it is from now on (each change records all of it). */
export class AgentProfileSetV1 {
  @IsString() @IsNotEmpty() @MaxLength(200) agentId!: string;
  @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @IsArray() @ArrayMaxSize(20) @Matches(SLUG_ID, { each: true }) teams!: string[];
  @NestedObjects(() => AgentSkillV1) @ArrayMaxSize(50) skills!: AgentSkillV1[];
  /** How many open cases the agent may hold at once. */
  @IsInt() @Min(1) @Max(100) capacity!: number;
  /** What an hour of this agent costs, integer minor units of `currency` (for call-centre efficiency). */
  @IsOptional() @IsInt() @Min(0) hourlyCost?: number;
  @IsOptional() @IsString() @Matches(/^[A-Z]{3}$/) currency?: string;
  @IsBoolean() active!: boolean;
  @IsInstant() setAt!: string;
  @IsString() @IsNotEmpty() setBy!: string;
}

export class AgentPresenceChangedV1 {
  @IsString() @IsNotEmpty() @MaxLength(200) agentId!: string;
  @IsIn(AGENT_PRESENCES) presence!: string;
  @IsIn(AGENT_PRESENCES) previous!: string;
  @IsInstant() changedAt!: string;
}

/** The router offers a case to an agent; the offer is accepted, declined or expires. */
export class CaseOfferedV1 {
  @IsString() @IsNotEmpty() offerId!: string;
  @IsString() @IsNotEmpty() episodeId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsString() @IsNotEmpty() @MaxLength(200) agentId!: string;
  /** The case's queue priority when offered (higher first; the function is in docs/service.md). */
  @IsNumber() priority!: number;
  /** Why this agent and this case now. */
  @IsString() @IsNotEmpty() @MaxLength(1000) reason!: string;
  @IsInstant() offeredAt!: string;
  @IsInstant() expiresAt!: string;
}

export class CaseOfferAcceptedV1 {
  @IsString() @IsNotEmpty() offerId!: string;
  @IsString() @IsNotEmpty() episodeId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsString() @IsNotEmpty() @MaxLength(200) agentId!: string;
  @IsInstant() acceptedAt!: string;
}

export class CaseOfferDeclinedV1 {
  @IsString() @IsNotEmpty() offerId!: string;
  @IsString() @IsNotEmpty() episodeId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsString() @IsNotEmpty() @MaxLength(200) agentId!: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(500) reason?: string;
  @IsInstant() declinedAt!: string;
}

export class CaseOfferExpiredV1 {
  @IsString() @IsNotEmpty() offerId!: string;
  @IsString() @IsNotEmpty() episodeId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsString() @IsNotEmpty() @MaxLength(200) agentId!: string;
  @IsInstant() expiredAt!: string;
}

/**
 * A telephone call, recorded when it ends (the telephony webhook's `ended`). `abandoned`: the caller
 * hung up before an agent answered (in the IVR or in the queue). `handleSeconds`: answered → ended.
 */
export class CallEndedV1 {
  @IsString() @IsNotEmpty() @MaxLength(200) callId!: string;
  @IsOptional() @IsString() @IsNotEmpty() customerId?: string;
  @IsOptional() @IsString() @IsNotEmpty() episodeId?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) agentId?: string;
  @IsOptional() @Matches(SLUG_ID) team?: string;
  @Personal() @IsString() @IsNotEmpty() @MaxLength(64) from!: string;
  @IsInstant() offeredAt!: string;
  @IsOptional() @IsInstant() answeredAt?: string;
  @IsInstant() endedAt!: string;
  @IsBoolean() abandoned!: boolean;
  @IsInt() @Min(0) handleSeconds!: number;
  /** Ended in the IVR's self-service without an agent, and not abandoned (containment). */
  @IsBoolean() containedInIvr!: boolean;
}

/** The customer's answer to the satisfaction survey after a case was resolved (the survey answer is also an interaction). */
export class CaseSatisfactionRatedV1 {
  @IsString() @IsNotEmpty() episodeId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  /** 1 (very dissatisfied) … 5 (very satisfied). */
  @IsInt() @Min(1) @Max(5) score!: number;
  @IsOptional() @Personal() @IsString() @IsNotEmpty() @MaxLength(2000) comment?: string;
  @IsString() @IsNotEmpty() interactionId!: string;
  @IsInstant() ratedAt!: string;
}

export const CONTACT_CENTRE_EVENTS = {
  AgentProfileSet: AgentProfileSetV1,
  AgentPresenceChanged: AgentPresenceChangedV1,
  CaseOffered: CaseOfferedV1,
  CaseOfferAccepted: CaseOfferAcceptedV1,
  CaseOfferDeclined: CaseOfferDeclinedV1,
  CaseOfferExpired: CaseOfferExpiredV1,
  CallEnded: CallEndedV1,
  CaseSatisfactionRated: CaseSatisfactionRatedV1,
} as const;
