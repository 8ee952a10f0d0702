import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { RelationshipCommands, type CommandResult, type RegisterCustomerDto } from '@crm/relationship-api';
import type { Principal } from '@crm/service-kit';

export class RegisterCustomerCommand {
  constructor(
    readonly principal: Principal,
    readonly dto: RegisterCustomerDto,
    readonly correlationId?: string,
  ) {}
}

@CommandHandler(RegisterCustomerCommand)
export class RegisterCustomerHandler implements ICommandHandler<RegisterCustomerCommand, CommandResult> {
  constructor(private readonly commands: RelationshipCommands) {}
  execute({ principal, dto, correlationId }: RegisterCustomerCommand): Promise<CommandResult> {
    return this.commands.registerCustomer(principal, dto, correlationId);
  }
}
