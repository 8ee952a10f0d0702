import { Inject, Injectable } from '@nestjs/common';
import { DeaInputError, evaluateEfficiency, loadHighsSolver, type DeaModel, type DeaUnitResult, type DecisionMakingUnit } from '@crm/contact-centre-efficiency';
import type { Clock } from '@crm/kernel';
import { NoServingVersionError, type ReadModelVersions } from '@crm/projections';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { CLOCK, HttpProblem, ProblemTypes } from '@crm/service-kit';
import { READ_MODEL_VERSIONS } from '../read-models/read-model-versions.provider';
import { CONTACT_CENTRE_FACTS } from './contact-centre-facts.projection';
import {
  contactCentreMeasures,
  teamEfficiencyUnits,
  type ContactCentreFact,
  type ContactCentreMeasures,
  type MeasureGrouping,
  type MeasureWindow,
} from './contact-centre-measures';
import type { ContactCentreWindowDto, EvaluateEfficiencyDto } from './contact-centre.dto';

const DAY = 86_400_000;

interface Basis {
  from: string;
  to: string;
  asOf: string;
  /** The version of the facts these were computed from (see GET /read-models). */
  source: { readModel: string; version: number };
}

export interface ContactCentreMeasuresView extends Basis {
  groupBy: MeasureGrouping;
  groups: ContactCentreMeasures[];
}

export interface EvaluatedUnit extends DeaUnitResult {
  inputs: readonly number[];
  outputs: readonly number[];
}

export interface TeamEfficiencyView extends Basis {
  model: DeaModel;
  inputs: string[];
  outputs: readonly string[];
  currency: string | null;
  units: (EvaluatedUnit & { scaleEfficiency: number })[];
  excluded: { name: string; reason: string }[];
  notes: string[];
}

export interface EfficiencyView {
  model: DeaModel;
  inputNames: string[];
  outputNames: string[];
  units: EvaluatedUnit[];
}

/** GET /contact-centre/measures and /efficiency from the serving version of analytics.contact-centre-facts; POST /contact-centre/efficiency on the caller's figures. */
@Injectable()
export class ContactCentreQueries {
  constructor(
    @Inject(READ_MODEL_VERSIONS) private readonly versions: ReadModelVersions,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async measures(q: ContactCentreWindowDto & { groupBy?: MeasureGrouping }): Promise<ContactCentreMeasuresView> {
    const groupBy = q.groupBy ?? 'none';
    const { basis, window, facts } = await this.load(q);
    return { ...basis, groupBy, groups: contactCentreMeasures(facts, window, groupBy) };
  }

  async teamEfficiency(q: ContactCentreWindowDto & { model?: DeaModel }): Promise<TeamEfficiencyView> {
    const model = q.model ?? 'ccr';
    const { basis, window, facts } = await this.load(q);
    const teams = teamEfficiencyUnits(facts, window);
    const base = { ...basis, model, inputs: teams.inputs, outputs: teams.outputs, currency: teams.currency, excluded: teams.excluded, notes: teams.notes };
    if (teams.units.length === 0) return { ...base, units: [] };
    const solver = await loadHighsSolver();
    const chosen = evaluateEfficiency(teams.units, model, solver);
    // Scale efficiency needs both models; teams are few, so the other one is solved too.
    const other = evaluateEfficiency(teams.units, model === 'ccr' ? 'bcc' : 'ccr', solver);
    return {
      ...base,
      units: chosen.map((r, j) => {
        const [ccr, bcc] = model === 'ccr' ? [r.theta, other[j].theta] : [other[j].theta, r.theta];
        return { ...withFigures(r, teams.units[j]), scaleEfficiency: bcc === 0 ? 0 : Math.round((ccr / bcc) * 1e9) / 1e9 };
      }),
    };
  }

  async evaluate(dto: EvaluateEfficiencyDto): Promise<EfficiencyView> {
    const model = dto.model ?? 'ccr';
    const m = dto.units[0].inputs.length;
    const s = dto.units[0].outputs.length;
    const names = (given: string[] | undefined, n: number, prefix: string, field: string) => {
      if (given && given.length !== n) throw badField(field, `${n} names, one per ${prefix}`);
      return given ?? Array.from({ length: n }, (_, k) => `${prefix}${k + 1}`);
    };
    const inputNames = names(dto.inputNames, m, 'input', 'inputNames');
    const outputNames = names(dto.outputNames, s, 'output', 'outputNames');
    const units: DecisionMakingUnit[] = dto.units.map((u) => ({ name: u.name, inputs: u.inputs, outputs: u.outputs }));
    try {
      const results = evaluateEfficiency(units, model, await loadHighsSolver());
      return { model, inputNames, outputNames, units: results.map((r, j) => withFigures(r, units[j])) };
    } catch (error) {
      if (error instanceof DeaInputError) throw badField(error.field, error.message);
      throw error;
    }
  }

  private async load(q: ContactCentreWindowDto): Promise<{ basis: Basis; window: MeasureWindow; facts: ContactCentreFact[] }> {
    const asOf = q.asOf ? new Date(q.asOf) : this.clock.now();
    const to = q.to ?? asOf.toISOString().slice(0, 10);
    const from = q.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * DAY).toISOString().slice(0, 10);
    if (from > to) throw badField('from', `from (${from}) must not be after to (${to})`);
    const window: MeasureWindow = { start: new Date(`${from}T00:00:00Z`), end: new Date(Date.parse(`${to}T00:00:00Z`) + DAY), asOf };
    const serving = await this.versions.serving(CONTACT_CENTRE_FACTS).catch((error: unknown) => {
      // Older code than the version the pointer names: say so rather than answer from the wrong tables.
      if (error instanceof NoServingVersionError) throw new HttpProblem(503, error.message, { type: ProblemTypes.notReady });
      throw error;
    });
    // Everything recorded by asOf up to the window's end (a case's history and an agent's presence
    // before the window decide what happens in it), plus reopenings after it (a case resolved in
    // the window and reopened later was not resolved at the first contact).
    const rows = (await this.readModels.dataSource.query(
      `SELECT kind, episode_id, agent_id, data, occurred_at FROM ${serving.tables.facts}
        WHERE recorded_at <= $1 AND (occurred_at < $2 OR kind = 'case-reopened')
        ORDER BY seq`,
      [asOf, window.end],
    )) as {
      kind: ContactCentreFact['kind'];
      episode_id: string | null;
      agent_id: string | null;
      data: Record<string, unknown> | string;
      occurred_at: Date | string;
    }[];
    const facts: ContactCentreFact[] = rows.map((r) => ({
      kind: r.kind,
      episodeId: r.episode_id,
      agentId: r.agent_id,
      data: typeof r.data === 'string' ? (JSON.parse(r.data) as Record<string, unknown>) : r.data,
      occurredAt: new Date(r.occurred_at).toISOString(),
    }));
    return { basis: { from, to, asOf: asOf.toISOString(), source: { readModel: serving.readModel, version: serving.version } }, window, facts };
  }
}

function withFigures(r: DeaUnitResult, unit: DecisionMakingUnit): EvaluatedUnit {
  const { name, ...result } = r;
  return { name, inputs: unit.inputs, outputs: unit.outputs, ...result };
}

function badField(field: string, message: string): HttpProblem {
  return new HttpProblem(400, `the request is invalid: ${field}`, { type: ProblemTypes.validation, errors: [{ field, message }] });
}
