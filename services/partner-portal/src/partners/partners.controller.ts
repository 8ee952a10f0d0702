import { Body, Controller, Delete, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@crm/relationship';
import { PartnerCommands } from '@crm/relationship-api';
import { CurrentPrincipal, RequireDepartment, RequireKind, RequireRoles, type Principal, setEtag, type HeaderResponse } from '@crm/service-kit';
import { asStaff } from '../auth/principals';
import { PartnerCredentials, type IssuedCredential } from '../credentials/partner-credentials';
import { PartnerCredentialParams, PartnerIdParam, PartnerShareParams, RegisterPartnerDto, ShareCustomerDto, type PartnerView } from './partners.dto';

/**
 * Partner administration, for channel managers and administrators of management or sales: register a
 * partner company, issue and revoke its client credentials, and share customers with it — each share
 * an explicit grant (`CustomerSharedWithPartner`) that stays in force until it is revoked
 * (`CustomerShareRevoked`). A plain sales agent may not: sharing a customer opens it to another
 * company.
 */
@ApiTags('partners')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('management', 'sales')
@RequireRoles('channel-manager', 'admin')
@Controller('partners')
export class PartnersController {
  constructor(
    private readonly partners: PartnerCommands,
    private readonly credentials: PartnerCredentials,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({ description: 'Registered; Location names the partner' })
  async register(
    @CurrentPrincipal() p: Principal,
    @Body() dto: RegisterPartnerDto,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ partnerId: string }> {
    const r = await this.partners.register(asStaff(p), dto);
    res.setHeader('Location', `/partners/${r.id}`);
    setEtag(res, r.revision);
    return { partnerId: r.id };
  }

  @Get(':id')
  @ApiOkResponse({ description: 'The partner, its active client ids and the customers currently shared with it (never secrets or hashes)' })
  async get(@Param() { id }: PartnerIdParam): Promise<PartnerView> {
    const partner = await this.partners.get(id);
    if (!partner) throw new NotFoundError(`partner ${id} not found`);
    const { partnerId, name, partnerKind, activeClientIds, sharedCustomerIds } = partner;
    return { partnerId, name, partnerKind, activeClientIds, sharedCustomerIds };
  }

  @Post(':id/credentials')
  @HttpCode(201)
  @ApiCreatedResponse({ description: 'The client id and secret. The secret is shown only in this response: store it now.' })
  async issueCredential(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: PartnerIdParam,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<IssuedCredential> {
    const issued = await this.credentials.issue(asStaff(p), id);
    res.setHeader('Cache-Control', 'no-store');
    return issued;
  }

  @Delete(':id/credentials/:clientId')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Revoked: refused by the token exchange, and tokens already issued for it stop working' })
  async revokeCredential(@CurrentPrincipal() p: Principal, @Param() { id, clientId }: PartnerCredentialParams): Promise<void> {
    await this.credentials.revoke(asStaff(p), id, clientId);
  }

  @Post(':id/shares')
  @HttpCode(201)
  @ApiCreatedResponse({ description: 'The customer is shared with the partner (sharing again changes nothing)' })
  async share(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: PartnerIdParam,
    @Body() dto: ShareCustomerDto,
  ): Promise<{ partnerId: string; customerId: string; shared: true }> {
    await this.partners.shareCustomer(asStaff(p), id, dto.customerId);
    return { partnerId: id, customerId: dto.customerId, shared: true };
  }

  @Delete(':id/shares/:customerId')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Revoked: from this response on, the partner gets 404 for the customer' })
  async revokeShare(@CurrentPrincipal() p: Principal, @Param() { id, customerId }: PartnerShareParams): Promise<void> {
    await this.partners.revokeShare(asStaff(p), id, customerId);
  }
}
