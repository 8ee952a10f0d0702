import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { StaffPrincipal } from '@crm/service-kit';
import { PartnerCredentials } from '../../credentials/partner-credentials';

export interface IssuedCredential {
  clientId: string;
  /** Shown once: only its scrypt hash is stored. */
  clientSecret: string;
}

/** Issues a client credential to a partner organisation (a PartnerCredentialIssued event with the secret's hash). */
export class IssueCredentialCommand {
  constructor(
    readonly principal: StaffPrincipal,
    readonly partnerId: string,
  ) {}
}

@CommandHandler(IssueCredentialCommand)
export class IssueCredentialHandler implements ICommandHandler<IssueCredentialCommand, IssuedCredential> {
  constructor(private readonly credentials: PartnerCredentials) {}
  execute({ principal, partnerId }: IssueCredentialCommand): Promise<IssuedCredential> {
    return this.credentials.issue(principal, partnerId);
  }
}
