import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { RelationshipCommands, type CommandResult } from '@crm/relationship-api';
import type { Principal } from '@crm/service-kit';
import type { OpenCaseDto } from '../cases.dto';

export class OpenCaseCommand {
  constructor(
    readonly principal: Principal,
    readonly dto: OpenCaseDto,
    readonly correlationId?: string,
  ) {}
}

@CommandHandler(OpenCaseCommand)
export class OpenCaseHandler implements ICommandHandler<OpenCaseCommand, CommandResult> {
  constructor(private readonly commands: RelationshipCommands) {}
  execute({ principal, dto, correlationId }: OpenCaseCommand): Promise<CommandResult> {
    return this.commands.openEpisode(principal, 'case', dto, correlationId);
  }
}
