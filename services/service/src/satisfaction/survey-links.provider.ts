import type { Provider } from '@nestjs/common';
import { SERVICE_CONFIG, type ServiceConfig } from '@crm/service-kit';
import { ensureSurveySecret, SurveyLinks } from './survey-links';

export const SURVEY_LINKS = Symbol('SURVEY_LINKS');

/** The survey link signer: CRM_SURVEY_SECRET, or the embedded secret under the data folder. */
export const surveyLinksProvider: Provider = {
  provide: SURVEY_LINKS,
  inject: [SERVICE_CONFIG],
  useFactory: async (config: ServiceConfig) =>
    new SurveyLinks(
      config.CRM_SURVEY_SECRET ? Buffer.from(config.CRM_SURVEY_SECRET, 'utf8') : await ensureSurveySecret(config.CRM_DATA_DIR),
      config.CRM_SURVEY_LINK_DAYS,
    ),
};
