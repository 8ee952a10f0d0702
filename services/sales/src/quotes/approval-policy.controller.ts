import { Body, Controller, Get, Headers, Put, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { QuoteCommands } from '@crm/relationship-api';
import {
  CurrentPrincipal,
  expectedRevisionFromIfMatch,
  RequireDepartment,
  RequireKind,
  RequireRoles,
  setEtag,
  type HeaderResponse,
  type Principal,
  type StaffPrincipal,
  ApiProblem,
} from '@crm/service-kit';
import { ApprovalPolicyDto } from './quotes.dto';

/** The discount approval threshold: a quote version with a line discount above it waits for a manager. */
@ApiTags('quotes')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('sales', 'management')
@ApiUnauthorizedResponse({ description: 'No or a bad bearer token' })
@ApiForbiddenResponse({ description: 'Not staff of sales or management (changing it: not a manager or admin)' })
@Controller('quote-approval-policy')
export class QuoteApprovalPolicyController {
  constructor(private readonly quotes: QuoteCommands) {}

  @Get()
  @ApiOkResponse({
    type: ApprovalPolicyDto,
    description: 'The threshold in force (1000 = 10 % until set); ETag',
    example: { discountThresholdBasisPoints: 1000 },
  })
  async get(@Res({ passthrough: true }) res: HeaderResponse): Promise<object> {
    const { revision, ...policy } = await this.quotes.approvalPolicy();
    setEtag(res, revision);
    return policy;
  }

  @Put()
  @RequireRoles('manager', 'admin')
  @ApiOperation({ summary: 'Set the discount approval threshold (basis points)' })
  @ApiOkResponse({
    type: ApprovalPolicyDto,
    description: 'Set (the same again changes nothing); ETag',
    example: { discountThresholdBasisPoints: 1500, setBy: 'mira' },
  })
  @ApiProblem(412, 'If-Match names an older revision of the policy')
  async set(
    @CurrentPrincipal() p: Principal,
    @Body() dto: ApprovalPolicyDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<object> {
    await this.quotes.setApprovalPolicy(p as StaffPrincipal, dto.discountThresholdBasisPoints, { expectedRevision: expectedRevisionFromIfMatch(ifMatch) });
    const { revision, ...policy } = await this.quotes.approvalPolicy();
    setEtag(res, revision);
    return policy;
  }
}
