import { Inject, Injectable } from '@nestjs/common';
import { fitLogistic, predictProbability, rocAuc, stratifiedHoldOut } from '@crm/customer-propensity';
import type { Clock } from '@crm/kernel';
import { DomainRuleViolation } from '@crm/relationship';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { CLOCK, HttpProblem, ProblemTypes } from '@crm/service-kit';
import { CHURN_FEATURE_NAMES, churnFeatures, churnLabel } from '../churn-features';
import { loadCustomerFacts, survivorsOf } from '../customer-facts';
import { ChurnModelRecord } from '../propensity-facts.entities';
import type { TrainChurnModelDto } from './churn.dto';
import { churnModelView, type ChurnModelView, type ChurnTrainingParameters } from './churn-model.view';

const DAY_MS = 86_400_000;
/** Fewer examples than this per side of the split give an AUC that means nothing. */
const MIN_PER_CLASS = 2;

/**
 * Trains the churn model on a time split: features as of T from the facts dated by then, the label
 * from the orders in (T, T + window]. Churners and retained customers are each split into training
 * and hold-out by a hash of their id and the seed (stratified); the model (with its parameters and hold-out AUC) is stored as a new version.
 */
@Injectable()
export class TrainChurnModelHandler {
  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async handle(dto: TrainChurnModelDto): Promise<ChurnModelView> {
    const now = this.clock.now();
    const windowDays = dto.windowDays ?? 90;
    const asOf = dto.asOf ? new Date(dto.asOf) : new Date(now.getTime() - windowDays * DAY_MS);
    const end = new Date(asOf.getTime() + windowDays * DAY_MS);
    if (end > now) {
      const message = `asOf + windowDays (${end.toISOString()}) is after now: churn in the window cannot be observed yet`;
      throw new HttpProblem(400, message, { type: ProblemTypes.validation, errors: [{ field: 'asOf', message }] });
    }
    const parameters: ChurnTrainingParameters = {
      asOf: asOf.toISOString(),
      windowDays,
      holdOutShare: dto.holdOutShare ?? 0.3,
      l2: dto.l2 ?? 1,
      seed: dto.seed ?? 0,
    };

    const manager = this.readModels.dataSource.manager;
    // Merges as they stood at T: who was one customer then.
    const facts = await loadCustomerFacts(manager, { until: end, moneyAsOf: asOf, survivors: await survivorsOf(manager, asOf) });
    const examples: { id: string; x: number[]; label: number }[] = [];
    for (const f of [...facts.values()].sort((a, b) => a.customerId.localeCompare(b.customerId))) {
      const x = churnFeatures(f, asOf);
      const label = churnLabel(f, asOf, windowDays);
      if (x && label !== null) examples.push({ id: f.customerId, x, label });
    }
    // Stratified: churners and retained customers are held out in the share asked for each, so a
    // small history does not pass or fail by how its (random) customer ids happen to hash.
    const held = stratifiedHoldOut(examples, parameters.holdOutShare, parameters.seed, MIN_PER_CLASS);
    const train = { x: [] as number[][], y: [] as number[] };
    const hold = { x: [] as number[][], y: [] as number[] };
    for (const e of examples) {
      const side = held.has(e.id) ? hold : train;
      side.x.push(e.x);
      side.y.push(e.label);
    }
    const churners = (ys: number[]) => ys.filter((v) => v === 1).length;
    const sizes = `training ${train.y.length} (${churners(train.y)} churned), hold-out ${hold.y.length} (${churners(hold.y)} churned)`;
    for (const side of [train, hold]) {
      const c = churners(side.y);
      if (c < MIN_PER_CLASS || side.y.length - c < MIN_PER_CLASS)
        throw new DomainRuleViolation(
          'not-enough-data',
          `training needs at least ${MIN_PER_CLASS} churned and ${MIN_PER_CLASS} retained customers on each side of the split; as of ${parameters.asOf}: ${sizes}`,
        );
    }

    const model = fitLogistic(CHURN_FEATURE_NAMES, train.x, train.y, { l2: parameters.l2 });
    const evaluation = {
      auc: rocAuc(
        hold.x.map((x) => predictProbability(model, x)),
        hold.y,
      ),
      trainingAuc: rocAuc(
        train.x.map((x) => predictProbability(model, x)),
        train.y,
      ),
      trainingSize: train.y.length,
      holdOutSize: hold.y.length,
      trainingChurners: churners(train.y),
      holdOutChurners: churners(hold.y),
    };
    const repository = manager.getRepository(ChurnModelRecord);
    const saved = await repository.save(
      repository.create({
        trainedAt: now,
        parameters: parameters as unknown as Record<string, unknown>,
        model: model as unknown as Record<string, unknown>,
        evaluation,
      }),
    );
    return churnModelView(saved);
  }
}
