import { decideEpisode, evolveEpisode, type EpisodeCommand, type EpisodeEvent, type EpisodeOpenedData, type EpisodeState, type Interaction } from './episode';
import { violatedRule } from './spec-helpers';

const opened: EpisodeOpenedData = {
  episodeId: 'e1',
  customerId: 'c1',
  name: 'Fleet renewal 2027',
  episodeType: 'opportunity',
  owner: { kind: 'department', department: 'sales' },
  openedAt: '2026-11-01T09:00:00.000Z',
  expectedValue: 120000,
  currency: 'EUR',
};
const interaction: Interaction = {
  interactionId: 'i1',
  channel: 'phone',
  direction: 'outbound',
  actor: { kind: 'staff', id: 'alice' },
  action: 'called to qualify the lead',
  response: 'budget confirmed',
  occurredAt: '2026-11-02T10:00:00.000Z',
};

const stateOf = (events: EpisodeEvent[]): EpisodeState => events.reduce(evolveEpisode, undefined);
const decide = (given: EpisodeEvent[], command: EpisodeCommand) => decideEpisode(command, stateOf(given));
const rule = violatedRule;
const open: EpisodeEvent[] = [{ type: 'EpisodeOpened', data: { ...opened, stage: 'lead-generation' } }];
const closed: EpisodeEvent[] = [...open, { type: 'EpisodeClosed', data: { episodeId: 'e1', customerId: 'c1', outcome: 'lost', closedAt: '2026-11-05T00:00:00.000Z' } }];

describe('episode decide', () => {
  it('opens an opportunity at the first stage of the sales process', () => {
    expect(decide([], { type: 'OpenEpisode', data: opened, customerExists: true })).toEqual(open);
  });
  it('refuses an episode for an unknown customer', () => {
    expect(rule(() => decide([], { type: 'OpenEpisode', data: opened, customerExists: false }))).toBe('unknown-customer');
  });
  it('refuses to open the same episode twice, or one without a name', () => {
    expect(rule(() => decide(open, { type: 'OpenEpisode', data: opened, customerExists: true }))).toBe('episode-exists');
    expect(rule(() => decide([], { type: 'OpenEpisode', data: { ...opened, name: '  ' }, customerExists: true }))).toBe('episode-needs-name');
  });
  it('records an interaction once, even when the request is retried', () => {
    const events = decide(open, { type: 'RecordInteraction', data: { episodeId: 'e1', interaction } });
    expect(events).toEqual([{ type: 'InteractionRecorded', data: { episodeId: 'e1', customerId: 'c1', interaction } }]);
    expect(decide([...open, ...events], { type: 'RecordInteraction', data: { episodeId: 'e1', interaction } })).toEqual([]);
  });
  it('refuses an interaction on a closed episode', () => {
    expect(rule(() => decide(closed, { type: 'RecordInteraction', data: { episodeId: 'e1', interaction } }))).toBe('episode-closed');
  });
  it('refuses an interaction before the episode opened', () => {
    expect(rule(() => decide(open, { type: 'RecordInteraction', data: { episodeId: 'e1', interaction: { ...interaction, occurredAt: '2026-10-01T00:00:00Z' } } }))).toBe(
      'interaction-before-episode',
    );
  });
  it('refuses closing twice', () => {
    expect(rule(() => decide(closed, { type: 'CloseEpisode', data: { episodeId: 'e1', outcome: 'won', value: 1, closedAt: '2026-11-06T00:00:00Z' } }))).toBe('episode-closed');
  });
  it('closes with an outcome that fits the episode type; a win records its value', () => {
    expect(rule(() => decide(open, { type: 'CloseEpisode', data: { episodeId: 'e1', outcome: 'resolved', closedAt: '2026-11-06T00:00:00Z' } }))).toBe('invalid-outcome');
    expect(rule(() => decide(open, { type: 'CloseEpisode', data: { episodeId: 'e1', outcome: 'won', closedAt: '2026-11-06T00:00:00Z' } }))).toBe('won-needs-value');
    expect(decide(open, { type: 'CloseEpisode', data: { episodeId: 'e1', outcome: 'won', value: 118000, currency: 'EUR', closedAt: '2026-11-06T00:00:00Z' } })).toHaveLength(1);
  });
  it('moves an opportunity forward through the stages only', () => {
    const advanced = decide(open, { type: 'AdvanceStage', data: { episodeId: 'e1', to: 'needs-identification', advancedAt: '2026-11-03T00:00:00Z' } });
    expect(advanced[0]).toMatchObject({ type: 'OpportunityStageAdvanced', data: { from: 'lead-generation', to: 'needs-identification' } });
    expect(rule(() => decide([...open, ...advanced], { type: 'AdvanceStage', data: { episodeId: 'e1', to: 'lead-qualification', advancedAt: '2026-11-04T00:00:00Z' } }))).toBe(
      'stage-moves-forward',
    );
  });
  it('keeps stages to opportunities', () => {
    const caseOpened: EpisodeEvent[] = [{ type: 'EpisodeOpened', data: { ...opened, episodeType: 'case', expectedValue: undefined, channel: 'phone' } }];
    expect(rule(() => decide(caseOpened, { type: 'AdvanceStage', data: { episodeId: 'e1', to: 'closing', advancedAt: '2026-11-04T00:00:00Z' } }))).toBe('stage-only-for-opportunities');
    expect(rule(() => decide([], { type: 'OpenEpisode', data: { ...opened, episodeType: 'case', stage: 'closing' }, customerExists: true }))).toBe('stage-only-for-opportunities');
  });
  it('refuses any command on an unknown episode', () => {
    expect(rule(() => decide([], { type: 'RecordInteraction', data: { episodeId: 'e1', interaction } }))).toBe('unknown-episode');
  });
});
