import { Module } from '@nestjs/common';
import { CustomerEditsController, CustomersController, RelationshipApiModule } from '@crm/relationship-api';
import { CasesController } from './cases/cases.controller';
import { OpenCaseController } from './cases/open-case/open-case.controller';
import { customerServiceReadModels } from './read-models';
import { CHANNEL_CONTROLLERS, CHANNEL_PROVIDERS } from './channels/channels';

@Module({
  imports: [
    RelationshipApiModule.forService({
      service: customerServiceReadModels.service,
      projections: customerServiceReadModels.own,
      controllers: [CustomersController, CustomerEditsController],
    }),
  ],
  controllers: [OpenCaseController, CasesController, ...CHANNEL_CONTROLLERS],
  // The contact centre's channels: telephony, IVR, inbound and outbound e-mail (issue 12 §2).
  providers: [...CHANNEL_PROVIDERS],
})
export class CustomerServiceModule {}
