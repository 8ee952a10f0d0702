import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { PartnerKind } from '@crm/relationship';
import { RelationshipCommands, type CommandResult } from '@crm/relationship-api';
import type { StaffPrincipal } from '@crm/service-kit';

/** Registers a partner company (supplier, distributor, reseller or service provider). */
export class RegisterPartnerCommand {
  constructor(
    readonly principal: StaffPrincipal,
    readonly data: { partnerId?: string; name: string; partnerKind: PartnerKind },
  ) {}
}

@CommandHandler(RegisterPartnerCommand)
export class RegisterPartnerHandler implements ICommandHandler<RegisterPartnerCommand, CommandResult> {
  constructor(private readonly commands: RelationshipCommands) {}
  execute({ principal, data }: RegisterPartnerCommand): Promise<CommandResult> {
    return this.commands.registerPartner(principal, data);
  }
}
