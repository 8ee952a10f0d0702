import { Body, Controller, Headers, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { ForceQueryDto, RegisterCustomerDto } from '../dto';
import { CustomerCommands } from './customer-commands';
import { CUSTOMER_WRITTEN_EXAMPLE, CustomerWrittenDto } from './customer-responses';
import { CurrentPrincipal, RequireKind, type Principal, setEtag, type HeaderResponse } from '@crm/service-kit';

/**
 * `POST /customers`: staff register a customer. Shared by the services whose staff meet customers
 * first (sales; service — the contact centre registers callers itself), mounted by each in its module.
 */
@ApiTags('customers')
@ApiBearerAuth()
@RequireKind('staff')
@Controller('customers')
export class RegisterCustomerController {
  constructor(private readonly customers: CustomerCommands) {}

  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({
    type: CustomerWrittenDto,
    description: "Registered; Location names the customer. ETag: the customer's revision (send it as If-Match on the next change)",
    example: CUSTOMER_WRITTEN_EXAMPLE,
  })
  @ApiConflictResponse({
    description:
      '`code: identity-taken`: another customer holds one of the identities; `holderId` names it (`?force=true` registers anyway and records a suspected duplicate)',
  })
  async register(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: RegisterCustomerDto,
    @Query() { force }: ForceQueryDto,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ customerId: string }> {
    const r = await this.customers.register(principal, { ...dto, force }, { correlationId });
    res.setHeader('Location', `/customers/${r.id}`);
    setEtag(res, r.revision);
    return { customerId: r.id };
  }
}
