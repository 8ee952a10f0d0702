import { Body, Controller, Headers, HttpCode, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { RegisterCustomerDto, type CommandResult } from '@crm/relationship-api';
import { CurrentPrincipal, RequireKind, type Principal, setEtag, type HeaderResponse } from '@crm/service-kit';
import { RegisterCustomerCommand } from './register-customer.command';


@ApiTags('customers')
@ApiBearerAuth()
@RequireKind('staff')
@Controller('customers')
export class RegisterCustomerController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({ description: 'Registered; Location names the customer' })
  async register(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: RegisterCustomerDto,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ customerId: string }> {
    const r = await this.commandBus.execute<RegisterCustomerCommand, CommandResult>(new RegisterCustomerCommand(principal, dto, correlationId));
    res.setHeader('Location', `/customers/${r.id}`);
    setEtag(res, r.revision);
    return { customerId: r.id };
  }
}
