import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { TickLoop } from '@crm/relationship-api';
import { HttpProblem, SERVICE_CONFIG, type ServiceConfig } from '@crm/service-kit';
import { AssessChurnRiskHandler, type ChurnRiskAssessment } from './assess-churn-risk.command';

/**
 * Keeps the churn-risk bands fresh without anyone calling the route: every
 * `CRM_CHURN_ASSESSMENT_INTERVAL_MS` (default a day; first at start) it assesses with the latest churn
 * model — nothing while none is trained. Each instance may run it: the decider records a band only
 * when it changed, so two assessments of one day record it once.
 */
@Injectable()
export class ChurnRiskAssessmentService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ChurnRiskAssessment');
  readonly loop: TickLoop<ChurnRiskAssessment | undefined>;

  constructor(assessment: AssessChurnRiskHandler, @Inject(SERVICE_CONFIG) config: ServiceConfig) {
    this.loop = new TickLoop(
      'churn-risk assessment',
      async () => {
        try {
          const result = await assessment.handle();
          if (result.changed > 0) this.logger.log(`churn risk: ${result.changed} of ${result.assessed} customers changed band (model v${result.modelVersion})`);
          return result;
        } catch (error) {
          // No model yet: nothing to assess, not a failure.
          if (error instanceof HttpProblem && error.extensions.code === 'model-not-trained') return undefined;
          throw error;
        }
      },
      { intervalMs: config.CRM_CHURN_ASSESSMENT_INTERVAL_MS, logger: { warn: (message) => this.logger.warn(message) } },
    );
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop.stop();
  }
}
