import { Body, Controller, Delete, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PartnerCommands } from '@crm/relationship-api';
import { ApiProblem, CurrentPrincipal, RequireDepartment, RequireKind, RequireRoles, setEtag, type HeaderResponse, type Principal } from '@crm/service-kit';
import { asStaff } from '../auth/principals';
import { PartnerIdParam } from '../partners/partners.dto';
import { InviteFirstAdminDto, PartnerUserCreated } from './partner-users.dto';

/**
 * The company's side of partner users (issue 14 §1), for the same people as partner administration
 * (channel managers and administrators of management or sales): invite a partner's FIRST admin (its
 * admins invite everyone else), and end a partnership altogether.
 */
@ApiTags('partners')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('management', 'sales')
@RequireRoles('channel-manager', 'admin')
@Controller('partners')
export class PartnerUsersAdminController {
  constructor(private readonly partners: PartnerCommands) {}

  @Post(':id/users')
  @HttpCode(201)
  @ApiOperation({ summary: "Invite a partner's first admin" })
  @ApiCreatedResponse({
    type: PartnerUserCreated,
    description: 'Invited as admin',
    schema: { example: { userId: '3f1c9a2e-8b7d-4c55-9f0a-1d2e3f4a5b6c', role: 'admin' } },
  })
  @ApiProblem(400, 'Bad Request: a field is invalid', { errors: [{ field: 'email', message: 'email must be an email' }] })
  @ApiProblem(401, 'Unauthorized')
  @ApiProblem(403, 'Forbidden: not a channel manager or administrator of management or sales')
  @ApiProblem(404, 'Not Found: no such partner')
  @ApiProblem(415, 'Unsupported Media Type: a body that is not JSON')
  @ApiProblem(422, 'Unprocessable: the partner has an admin already (its admins invite users), or the partnership has ended', { code: 'admin-exists' })
  async inviteFirstAdmin(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: PartnerIdParam,
    @Body() dto: InviteFirstAdminDto,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<PartnerUserCreated> {
    const r = await this.partners.addUser(asStaff(p), id, { name: dto.name, email: dto.email, role: 'admin' });
    setEtag(res, r.revision);
    return { userId: r.id, role: 'admin' };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'End a partnership: every credential, user and share stops working from the next request' })
  @ApiNoContentResponse({ description: 'Deactivated (again: nothing changes)' })
  @ApiProblem(401, 'Unauthorized')
  @ApiProblem(403, 'Forbidden: not a channel manager or administrator of management or sales')
  @ApiProblem(404, 'Not Found: no such partner')
  async deactivate(@CurrentPrincipal() p: Principal, @Param() { id }: PartnerIdParam): Promise<void> {
    await this.partners.deactivate(asStaff(p), id);
  }
}
