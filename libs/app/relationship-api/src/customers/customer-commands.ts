import { randomUUID } from 'node:crypto';
import { CommandHandler, type EventStore } from '@crm/event-store';
import { customerDecider, customerStream, type CustomerState } from '@crm/relationship';
import type { Principal } from '@crm/service-kit';
import { metadataFor, visibilityFor, type CommandOptions, type CommandResult, type CommandSettings } from '../application/command-options';
import type { RegisterCustomerDto } from '../dto';

/** The customer aggregate's commands: each loads the stream once, decides, appends. */
export class CustomerCommands {
  constructor(
    private readonly store: EventStore,
    private readonly settings: CommandSettings,
  ) {}

  private readonly handler = new CommandHandler(this.store, customerDecider, { retries: this.settings.retries });

  async register(principal: Principal, dto: RegisterCustomerDto, options: CommandOptions = {}): Promise<CommandResult> {
    const customerId = dto.customerId ?? randomUUID();
    const r = await this.handler.handle(
      customerStream(customerId),
      {
        type: 'RegisterCustomer',
        data: {
          customerId,
          kind: dto.kind,
          name: dto.name,
          contacts: (dto.contacts ?? []).map((c) => ({ ...c, contactId: c.contactId ?? randomUUID() })),
          identities: dto.identities ?? [],
          journeyStage: dto.journeyStage ?? 'prospect',
          relationshipPhase: dto.relationshipPhase ?? 'awareness',
          registeredBy: principal.kind === 'staff' ? principal.department : 'partner',
        },
      },
      metadataFor(principal, this.settings.clock, visibilityFor(principal), options.correlationId),
      { expectedRevision: options.expectedRevision },
    );
    return { id: customerId, revision: r.revision };
  }

  async get(customerId: string): Promise<CustomerState> {
    return (await this.handler.load(customerStream(customerId))).state;
  }

  async exists(customerId: string): Promise<boolean> {
    return (await this.get(customerId)) !== undefined;
  }
}
