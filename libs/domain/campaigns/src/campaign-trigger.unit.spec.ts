import { campaignDecider, type CampaignDefinition, type CampaignEvent, type CampaignState } from './campaign';
import { campaignTriggerDecider, recipientKey, triggeredMember, type CampaignTriggerCommand, type CampaignTriggerEvent } from './campaign-trigger';

const campaignId = '7d4c2f10-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
const customerId = '00000000-0000-4000-8000-000000000001';
const firingId = '11111111-2222-4333-8444-555555555555';
const marketer = { subject: 'mira', department: 'marketing' };
const at = '2026-06-01T10:00:00.000Z';

const definition = (over: Partial<CampaignDefinition> = {}): CampaignDefinition => ({
  name: 'Thank you',
  purpose: 'offers',
  audience: { kind: 'triggered' },
  steps: [
    { stepId: 'mail-1', channel: 'email', delayMinutes: 0, variants: [{ variantId: 'a', weight: 1, template: { subject: 'Thanks', text: 'Thank you' } }] },
    { stepId: 'mail-2', channel: 'email', delayMinutes: 60, variants: [{ variantId: 'b', weight: 1, template: { subject: 'Again', text: 'Still here' } }] },
  ],
  controlBasisPoints: 0,
  throttlePerSecond: 10,
  attributionWindowDays: 14,
  costPerMessage: { amountMinor: 3, currency: 'EUR' },
  ...over,
});

const defined = (over: Partial<CampaignDefinition> = {}): CampaignEvent => ({
  type: 'CampaignDefined',
  data: { campaignId, ...definition(over), definedBy: 'mira', definedAt: '2026-05-01T10:00:00.000Z' },
});
const started: CampaignEvent = {
  type: 'CampaignStarted',
  data: { campaignId, startedAt: '2026-05-02T10:00:00.000Z', startedBy: marketer, audienceSize: 0, controlSize: 0, chunks: 0 },
};
const paused: CampaignEvent = { type: 'CampaignPaused', data: { campaignId, pausedBy: 'mira', pausedAt: '2026-05-03T10:00:00.000Z' } };

const campaignOf = (events: CampaignEvent[]): CampaignState => events.reduce(campaignDecider.evolve, campaignDecider.initialState);

const admit = (campaign: CampaignState, stepId?: string): CampaignTriggerCommand => ({
  type: 'AdmitTriggeredRecipient',
  data: { campaignId, customerId, firingId, ruleId: 'thank-big-spenders', ruleRevision: 0, ...(stepId !== undefined && { stepId }), firedAt: at, at },
  campaign,
});

/** Given the firing's own events, when the command is decided: the events it records. */
const given = (events: CampaignTriggerEvent[]) => ({
  when: (command: CampaignTriggerCommand) =>
    campaignTriggerDecider.decide(command, events.reduce(campaignTriggerDecider.evolve, campaignTriggerDecider.initialState)),
});

describe('a trigger firing offered to a campaign', () => {
  it('given a running triggered campaign, when a firing names it, then the customer is admitted with every step due after its delay from the firing', () => {
    const [event] = given([]).when(admit(campaignOf([defined(), started])));
    expect(event).toEqual({
      type: 'CampaignRecipientTriggered',
      data: {
        campaignId,
        customerId,
        firingId,
        ruleId: 'thank-big-spenders',
        ruleRevision: 0,
        steps: [
          { stepId: 'mail-1', dueAt: at },
          { stepId: 'mail-2', dueAt: '2026-06-01T11:00:00.000Z' },
        ],
        variants: ['a', 'b'],
        triggeredAt: at,
      },
    });
    const member = triggeredMember(event.data as never);
    expect(recipientKey(member)).toBe(firingId);
    expect(member).toMatchObject({ customerId, firingId, variants: ['a', 'b'] });
  });

  it('given a rule naming a step, when it fires, then only that step is due, now (the rule delayed it already)', () => {
    const [event] = given([]).when(admit(campaignOf([defined(), started]), 'mail-2'));
    expect(event.type).toBe('CampaignRecipientTriggered');
    expect(event.data).toMatchObject({ steps: [{ stepId: 'mail-2', dueAt: at }] });
  });

  it('given a campaign holding everyone out, when a firing names it, then the customer is admitted in the control group without variants', () => {
    const [event] = given([]).when(admit(campaignOf([defined({ controlBasisPoints: 10_000 }), started])));
    expect(event.data).toMatchObject({ control: true });
    expect(event.data).not.toHaveProperty('variants');
  });

  it.each([
    ['no such campaign', [] as CampaignEvent[], undefined, 'campaign-unknown', undefined],
    ['a campaign over a list', [defined({ audience: { kind: 'list', customerIds: [customerId] } }), started], undefined, 'campaign-not-triggered', 'running'],
    ['a draft', [defined()], undefined, 'campaign-not-running', 'draft'],
    ['a paused campaign', [defined(), started, paused], undefined, 'campaign-not-running', 'paused'],
    ['a step the campaign does not have', [defined(), started], 'sms-9', 'step-unknown', 'running'],
  ])('given %s, when a firing names it, then it is skipped with the reason', (_, events, stepId, reason, status) => {
    const [event] = given([]).when(admit(campaignOf(events), stepId));
    expect(event).toEqual({
      type: 'CampaignTriggerSkipped',
      data: {
        campaignId,
        customerId,
        firingId,
        ruleId: 'thank-big-spenders',
        ruleRevision: 0,
        ...(stepId !== undefined && { stepId }),
        reason,
        ...(status !== undefined && { campaignStatus: status }),
        skippedAt: at,
      },
    });
  });

  it('given a running campaign, when a firing from before it started is decided (late), then it is skipped campaign-not-running', () => {
    const command = admit(campaignOf([defined(), started]));
    const [event] = given([]).when({ ...command, data: { ...command.data, firedAt: '2026-05-02T09:59:59.000Z' } } as CampaignTriggerCommand);
    expect(event).toMatchObject({ type: 'CampaignTriggerSkipped', data: { reason: 'campaign-not-running', campaignStatus: 'running' } });
  });

  it('given a firing decided already (admitted or skipped), when it is offered again (a restart), then nothing', () => {
    const running = campaignOf([defined(), started]);
    const admitted = given([]).when(admit(running));
    expect(given(admitted).when(admit(running))).toEqual([]);
    const skipped = given([]).when(admit(campaignOf([defined()])));
    // Skipped while a draft, the campaign running now does not change what was decided.
    expect(given(skipped).when(admit(running))).toEqual([]);
  });
});

describe('a triggered campaign', () => {
  it('given a triggered draft, when it starts, then it runs with no audience yet (no frozen chunks)', () => {
    const state = campaignOf([defined()]);
    const events = campaignDecider.decide({ type: 'StartCampaign', data: { campaignId, startedAt: at, startedBy: marketer, members: [] } }, state);
    expect(events).toEqual([{ type: 'CampaignStarted', data: { campaignId, startedAt: at, startedBy: marketer, audienceSize: 0, controlSize: 0, chunks: 0 } }]);
    expect(events.reduce(campaignDecider.evolve, state).status).toBe('running');
  });
});
