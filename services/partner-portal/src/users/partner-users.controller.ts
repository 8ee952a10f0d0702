import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@crm/relationship';
import { PartnerCommands } from '@crm/relationship-api';
import { ApiProblem, CurrentPrincipal, expectedRevisionFromIfMatch, RequireKind, setEtag, type HeaderResponse, type Principal } from '@crm/service-kit';
import { asPartner } from '../auth/principals';
import { PartnerCredentials } from '../credentials/partner-credentials';
import { PartnerScope } from '../portal/partner-scope';
import {
  ChangePartnerUserRoleDto,
  InvitePartnerUserDto,
  PartnerUserCreated,
  PartnerUserCredential,
  PartnerUserIdParam,
  PartnerUserList,
} from './partner-users.dto';

const USER_EXAMPLE = { userId: '3f1c9a2e-8b7d-4c55-9f0a-1d2e3f4a5b6c', name: 'Dewi Lestari', email: 'dewi@distributor-a.example', role: 'sales' };

/**
 * A partner organisation's own users (issue 14 §1), managed by its `admin` users (and its
 * organisation credentials, which keep every right). Each user gets credentials of its own: its
 * tokens name the user, every event it writes records it, and it stops working the moment the user
 * is removed. Another partner's user ids are 404, as unknown ones.
 */
@ApiTags('users')
@ApiBearerAuth()
@RequireKind('partner')
@Controller('users')
export class PartnerUsersController {
  constructor(
    private readonly partners: PartnerCommands,
    private readonly credentials: PartnerCredentials,
    private readonly scope: PartnerScope,
  ) {}

  @Get()
  @ApiOperation({ summary: "Your organisation's users" })
  @ApiOkResponse({
    type: PartnerUserList,
    description: 'The current users; `ETag` is the revision to send as `If-Match`',
    schema: { example: { items: [USER_EXAMPLE] } },
  })
  @ApiProblem(401, 'Unauthorized: no token, or a token of a removed user, a revoked credential or an ended partnership')
  @ApiProblem(403, 'Forbidden: your role is not admin', { code: 'role-not-allowed' })
  async list(@CurrentPrincipal() p: Principal, @Res({ passthrough: true }) res: HeaderResponse): Promise<PartnerUserList> {
    const partner = asPartner(p);
    if (!(await this.scope.partnerOf(partner))) throw new NotFoundError(`partner ${partner.partnerId} not found`);
    const found = await this.partners.users(partner.partnerId);
    if (!found) throw new NotFoundError(`partner ${partner.partnerId} not found`);
    setEtag(res, found.revision);
    return { items: found.users };
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Invite a user (admin)' })
  @ApiCreatedResponse({
    type: PartnerUserCreated,
    description: 'Invited; `Location` names the user',
    schema: { example: { userId: USER_EXAMPLE.userId, role: 'sales' } },
  })
  @ApiProblem(400, 'Bad Request: a field is invalid', { errors: [{ field: 'email', message: 'email must be an email' }] })
  @ApiProblem(401, 'Unauthorized')
  @ApiProblem(403, 'Forbidden: your role is not admin', { code: 'role-not-allowed' })
  @ApiProblem(415, 'Unsupported Media Type: a body that is not JSON')
  async invite(
    @CurrentPrincipal() p: Principal,
    @Body() dto: InvitePartnerUserDto,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<PartnerUserCreated> {
    const partner = asPartner(p);
    const r = await this.partners.addUser(partner, partner.partnerId, { name: dto.name, email: dto.email, role: dto.role });
    res.setHeader('Location', `/users/${r.id}`);
    setEtag(res, r.revision);
    return { userId: r.id, role: dto.role };
  }

  @Patch(':id')
  @ApiOperation({ summary: "Change a user's role (admin)" })
  @ApiHeader({ name: 'if-match', required: false, description: 'The `ETag` of `GET /users`: a stale one is 412 before any rule' })
  @ApiOkResponse({
    type: PartnerUserCreated,
    description: 'The new role; `ETag` the new revision',
    schema: { example: { userId: USER_EXAMPLE.userId, role: 'service' } },
  })
  @ApiProblem(400, 'Bad Request: role is not admin, sales or service', { errors: [{ field: 'role', message: 'role must be one of …' }] })
  @ApiProblem(401, 'Unauthorized')
  @ApiProblem(403, 'Forbidden: your role is not admin', { code: 'role-not-allowed' })
  @ApiProblem(404, 'Not Found: no such user of your organisation')
  @ApiProblem(412, 'Precondition Failed: the users changed since the ETag you sent')
  @ApiProblem(422, 'Unprocessable: the last admin keeps the role', { code: 'last-admin' })
  async changeRole(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: PartnerUserIdParam,
    @Body() dto: ChangePartnerUserRoleDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<PartnerUserCreated> {
    const partner = asPartner(p);
    const r = await this.partners.changeUserRole(partner, partner.partnerId, id, dto.role, { expectedRevision: expectedRevisionFromIfMatch(ifMatch) });
    setEtag(res, r.revision);
    return { userId: id, role: dto.role };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a user (admin): its tokens are 401 from the next request' })
  @ApiHeader({ name: 'if-match', required: false, description: 'The `ETag` of `GET /users` (412 when stale)' })
  @ApiNoContentResponse({ description: 'Removed, with its credentials' })
  @ApiProblem(401, 'Unauthorized')
  @ApiProblem(403, 'Forbidden: your role is not admin', { code: 'role-not-allowed' })
  @ApiProblem(404, 'Not Found: no such user of your organisation')
  @ApiProblem(412, 'Precondition Failed: the users changed since the ETag you sent')
  @ApiProblem(422, 'Unprocessable: the last admin cannot be removed', { code: 'last-admin' })
  async remove(@CurrentPrincipal() p: Principal, @Param() { id }: PartnerUserIdParam, @Headers('if-match') ifMatch: string | undefined): Promise<void> {
    const partner = asPartner(p);
    await this.partners.removeUser(partner, partner.partnerId, id, { expectedRevision: expectedRevisionFromIfMatch(ifMatch) });
  }

  @Post(':id/credentials')
  @HttpCode(201)
  @ApiOperation({ summary: "Issue a credential bound to a user (admin): its tokens act as that user, with the user's role" })
  @ApiCreatedResponse({
    type: PartnerUserCredential,
    description: 'The client id and secret (`Cache-Control: no-store`): the secret is shown only here',
    schema: { example: { clientId: '7d0c2f1e-….Xb3kQ9…', clientSecret: 'q9Zr…', userId: USER_EXAMPLE.userId } },
  })
  @ApiProblem(401, 'Unauthorized')
  @ApiProblem(403, 'Forbidden: your role is not admin', { code: 'role-not-allowed' })
  @ApiProblem(404, 'Not Found: no such user of your organisation')
  async issueCredential(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: PartnerUserIdParam,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<PartnerUserCredential> {
    const partner = asPartner(p);
    const issued = await this.credentials.issue(partner, partner.partnerId, id);
    res.setHeader('Cache-Control', 'no-store');
    return { ...issued, userId: id };
  }
}
