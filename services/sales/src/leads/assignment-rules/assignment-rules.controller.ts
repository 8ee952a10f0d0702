import { Body, Controller, Get, Headers, Put, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiPreconditionFailedResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { LeadCommands, type AssignmentRulesView } from '@crm/relationship-api';
import {
  CurrentPrincipal,
  expectedRevisionFromIfMatch,
  RequireDepartment,
  RequireKind,
  setEtag,
  type HeaderResponse,
  type Principal,
  type StaffPrincipal,
} from '@crm/service-kit';
import { ReplaceLeadAssignmentRulesDto } from './assignment-rules.dto';
import { LEAD_ASSIGNMENT_RULES_EXAMPLE, LeadAssignmentRulesDto } from './assignment-rules.responses';

const view = ({ revision: _revision, ...rules }: AssignmentRulesView) => rules;

/**
 * Who new leads go to: an ordered list of territory and round-robin rules, recorded as events in the
 * `lead-assignment-rules` stream and replaced as a whole. Read by the sales, marketing and
 * management staff; replaced by sales or management.
 */
@ApiTags('leads')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('sales', 'marketing', 'management')
@ApiUnauthorizedResponse({ description: 'No or a bad bearer token' })
@ApiForbiddenResponse({ description: 'Not staff of a department that may' })
@Controller('lead-assignment-rules')
export class LeadAssignmentRulesController {
  constructor(private readonly leads: LeadCommands) {}

  @Get()
  @ApiOkResponse({
    type: LeadAssignmentRulesDto,
    description: 'The rules in force (`rules: []` when none), who replaced them and when; ETag for If-Match',
    example: LEAD_ASSIGNMENT_RULES_EXAMPLE,
  })
  async get(@Res({ passthrough: true }) res: HeaderResponse): Promise<object> {
    const rules = await this.leads.assignmentRules();
    setEtag(res, rules.revision);
    return view(rules);
  }

  @Put()
  @RequireDepartment('sales', 'management')
  @ApiOkResponse({
    type: LeadAssignmentRulesDto,
    description: 'The rules replaced (the same list again changes nothing: who and when stay as they were); the rules in force now; ETag',
    example: LEAD_ASSIGNMENT_RULES_EXAMPLE,
  })
  @ApiBadRequestResponse({ description: 'A rule that is not valid (problem+json naming the field, e.g. `rules.0.match.countries`)' })
  @ApiUnprocessableEntityResponse({
    description:
      'A rule was broken; `code` names it (assignment-rule-needs-one-assignee, round-robin-needs-team, assignment-rule-ids-unique, assignment-rule-unreachable, …)',
  })
  @ApiPreconditionFailedResponse({ description: 'If-Match names an older revision of the rules' })
  async replace(
    @CurrentPrincipal() p: Principal,
    @Body() dto: ReplaceLeadAssignmentRulesDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<object> {
    await this.leads.replaceAssignmentRules(p as StaffPrincipal, dto.rules, { expectedRevision: expectedRevisionFromIfMatch(ifMatch) });
    const rules = await this.leads.assignmentRules();
    setEtag(res, rules.revision);
    return view(rules);
  }
}
