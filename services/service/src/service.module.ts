import { Module } from '@nestjs/common';
import { CustomerEditsController, CustomersController, RelationshipApiModule } from '@crm/relationship-api';
import { CasesController } from './cases/cases.controller';
import { OpenCaseController } from './cases/open-case/open-case.controller';
import { customerServiceReadModels } from './read-models';
import { CaseSurveyController } from './satisfaction/case-survey.controller';
import { SurveysController } from './satisfaction/surveys.controller';
import { surveyLinksProvider } from './satisfaction/survey-links.provider';

@Module({
  imports: [
    RelationshipApiModule.forService({
      service: customerServiceReadModels.service,
      projections: customerServiceReadModels.own,
      controllers: [CustomersController, CustomerEditsController],
    }),
  ],
  controllers: [
    OpenCaseController,
    CasesController,
    // the satisfaction survey of resolved cases (issue 12 §6)
    CaseSurveyController,
    SurveysController,
  ],
  providers: [
    // the satisfaction survey of resolved cases (issue 12 §6)
    surveyLinksProvider,
  ],
})
export class CustomerServiceModule {}
