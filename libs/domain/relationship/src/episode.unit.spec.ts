import {
  episodeDecider,
  decideEpisode,
  evolveEpisode,
  type EpisodeCommand,
  type EpisodeEvent,
  type EpisodeOpenedData,
  type EpisodeState,
  type Interaction,
} from './episode';
import { DeciderSpecification } from '@crm/kernel/testing';
import { DEFAULT_PIPELINE, DEFAULT_PIPELINE_ID } from './pipeline';

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
const given = DeciderSpecification.for(episodeDecider);
const open: EpisodeEvent[] = [{ type: 'EpisodeOpened', data: { ...opened, pipelineId: DEFAULT_PIPELINE_ID, stage: 'lead-generation', stageProbability: 5 } }];
const closed: EpisodeEvent[] = [
  ...open,
  { type: 'EpisodeClosed', data: { episodeId: 'e1', customerId: 'c1', outcome: 'lost', closedAt: '2026-11-05T00:00:00.000Z' } },
];

describe('episode decide', () => {
  it('opens an opportunity at the first stage of the sales process', () => {
    given([]).when({ type: 'OpenEpisode', data: opened, customerExists: true }).then(open);
  });
  it('refuses an episode for an unknown customer', () => {
    given([]).when({ type: 'OpenEpisode', data: opened, customerExists: false }).thenBreaks('unknown-customer');
  });
  it('refuses to open the same episode twice, or one without a name', () => {
    given(open).when({ type: 'OpenEpisode', data: opened, customerExists: true }).thenBreaks('episode-exists');
    given([])
      .when({ type: 'OpenEpisode', data: { ...opened, name: '  ' }, customerExists: true })
      .thenBreaks('episode-needs-name');
  });
  it("links only a partner deal to the company's opportunity", () => {
    given([])
      .when({ type: 'OpenEpisode', data: { ...opened, opportunityId: 'o1' }, customerExists: true })
      .thenBreaks('opportunity-link-for-partner-deals');
    const deal = {
      ...opened,
      episodeType: 'partner-deal' as const,
      owner: { kind: 'partner' as const, partnerId: 'p1' },
      stage: undefined,
      opportunityId: 'o1',
    };
    given([])
      .when({ type: 'OpenEpisode', data: deal, customerExists: true })
      .then([{ type: 'EpisodeOpened', data: deal }]);
  });
  it('records an interaction once, even when the request is retried', () => {
    const events = decide(open, { type: 'RecordInteraction', data: { episodeId: 'e1', interaction } });
    expect(events).toEqual([{ type: 'InteractionRecorded', data: { episodeId: 'e1', customerId: 'c1', interaction } }]);
    given([...open, ...events])
      .when({ type: 'RecordInteraction', data: { episodeId: 'e1', interaction } })
      .thenNothingHappens();
  });
  it('refuses an interaction on a closed episode', () => {
    given(closed)
      .when({ type: 'RecordInteraction', data: { episodeId: 'e1', interaction } })
      .thenBreaks('episode-closed');
  });
  it('refuses an interaction before the episode opened', () => {
    given(open)
      .when({ type: 'RecordInteraction', data: { episodeId: 'e1', interaction: { ...interaction, occurredAt: '2026-10-01T00:00:00Z' } } })
      .thenBreaks('interaction-before-episode');
  });
  it('refuses closing twice', () => {
    given(closed)
      .when({ type: 'CloseEpisode', data: { episodeId: 'e1', outcome: 'won', value: 1, reason: 'signed', closedAt: '2026-11-06T00:00:00Z' } })
      .thenBreaks('episode-closed');
  });
  it('closes with an outcome that fits the episode type; a win records its value', () => {
    given(open)
      .when({ type: 'CloseEpisode', data: { episodeId: 'e1', outcome: 'resolved', closedAt: '2026-11-06T00:00:00Z' } })
      .thenBreaks('invalid-outcome');
    given(open)
      .when({ type: 'CloseEpisode', data: { episodeId: 'e1', outcome: 'won', reason: 'signed', closedAt: '2026-11-06T00:00:00Z' } })
      .thenBreaks('won-needs-value');
    expect(
      decide(open, {
        type: 'CloseEpisode',
        data: { episodeId: 'e1', outcome: 'won', value: 118000, currency: 'EUR', reason: 'signed', closedAt: '2026-11-06T00:00:00Z' },
      }),
    ).toHaveLength(1);
  });
  it('keeps stages to opportunities', () => {
    const caseOpened: EpisodeEvent[] = [{ type: 'EpisodeOpened', data: { ...opened, episodeType: 'case', expectedValue: undefined, channel: 'phone' } }];
    given(caseOpened)
      .when({ type: 'ChangeStage', pipeline: DEFAULT_PIPELINE, data: { episodeId: 'e1', to: 'closing', changedAt: '2026-11-04T00:00:00Z' } })
      .thenBreaks('stage-only-for-opportunities');
    given(caseOpened)
      .when({ type: 'UpdateOpportunity', data: { episodeId: 'e1', changes: { owner: 'sari' }, updatedAt: '2026-11-04T00:00:00Z' } })
      .thenBreaks('details-only-for-opportunities');
    given([])
      .when({ type: 'OpenEpisode', data: { ...opened, episodeType: 'case', stage: 'closing' }, customerExists: true })
      .thenBreaks('stage-only-for-opportunities');
  });
  it('refuses any command on an unknown episode', () => {
    given([])
      .when({ type: 'RecordInteraction', data: { episodeId: 'e1', interaction } })
      .thenBreaks('unknown-episode');
  });
  it('a partner records its own users, the customer or a system as the actor, never company staff', () => {
    const partnerEpisode: EpisodeEvent[] = [
      {
        type: 'EpisodeOpened',
        data: { ...opened, episodeType: 'partner-deal', owner: { kind: 'partner', partnerId: 'p1' }, expectedValue: undefined, currency: undefined },
      },
    ];
    const byPartner = { kind: 'partner', partnerId: 'p1' } as const;
    given(partnerEpisode)
      .when({ type: 'RecordInteraction', by: byPartner, data: { episodeId: 'e1', interaction } })
      .thenBreaks('partner-cannot-act-as-staff');
    const asPartnerUser = { ...interaction, actor: { kind: 'partner-user', id: 'p1.bob' } } as const;
    given(partnerEpisode)
      .when({ type: 'RecordInteraction', by: byPartner, data: { episodeId: 'e1', interaction: asPartnerUser } })
      .then([{ type: 'InteractionRecorded', data: { episodeId: 'e1', customerId: 'c1', interaction: asPartnerUser } }]);
    // Staff recording on the company's episode name staff, of course.
    given(open)
      .when({ type: 'RecordInteraction', by: { kind: 'department', department: 'sales' }, data: { episodeId: 'e1', interaction } })
      .then([{ type: 'InteractionRecorded', data: { episodeId: 'e1', customerId: 'c1', interaction } }]);
  });
});
