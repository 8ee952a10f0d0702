import { DomainRuleViolation } from '@crm/kernel';
import { bucketOf, inControlGroup, variantFor } from './assignment';
import {
  AUDIENCE_CHUNK,
  campaignDecider,
  type CampaignCommand,
  type CampaignDefinition,
  type CampaignEvent,
  type CampaignState,
  MAX_LISTED_AUDIENCE,
} from './campaign';
import { mergeFieldsOf } from './template-fields';

const campaignId = '7d4c2f10-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
const marketer = { subject: 'mira', department: 'marketing' };
const ids = (n: number) => Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);

const definition = (over: Partial<CampaignDefinition> = {}): CampaignDefinition => ({
  name: 'Spring offer',
  purpose: 'offers',
  audience: { kind: 'list', customerIds: ids(3) },
  steps: [
    {
      stepId: 'mail-1',
      channel: 'email',
      delayMinutes: 0,
      variants: [
        { variantId: 'a', weight: 1, template: { subject: 'Hello {{name}}', text: 'Hi {{name}}, see {{unsubscribeUrl}}', html: '<p>Hi {{name}}</p>' } },
        { variantId: 'b', weight: 1, template: { subject: 'Spring', text: 'Spring is here' } },
      ],
    },
  ],
  controlBasisPoints: 1_000,
  throttlePerSecond: 10,
  attributionWindowDays: 14,
  costPerMessage: { amountMinor: 3, currency: 'EUR' },
  ...over,
});

const define = (over: Partial<CampaignDefinition> = {}): CampaignCommand => ({
  type: 'DefineCampaign',
  data: { campaignId, ...definition(over), definedBy: 'mira', definedAt: '2026-05-01T10:00:00.000Z' },
});

/** Given these events, when the command is decided: the events it records (or the rule it breaks). */
function given(events: CampaignEvent[]) {
  const state: CampaignState = events.reduce(campaignDecider.evolve, campaignDecider.initialState);
  return {
    state,
    when: (command: CampaignCommand) => campaignDecider.decide(command, state),
    rule: (command: CampaignCommand) => {
      try {
        campaignDecider.decide(command, state);
      } catch (e) {
        if (e instanceof DomainRuleViolation) return e.rule;
        throw e;
      }
      return undefined;
    },
  };
}
const defined = () => given([]).when(define());
const started = (members = ids(3)) => {
  const events = defined();
  return [
    ...events,
    ...given(events).when({ type: 'StartCampaign', data: { campaignId, startedAt: '2026-05-02T09:00:00.000Z', startedBy: marketer, members } }),
  ];
};

describe('campaign decider', () => {
  it('given nothing, when a valid campaign is defined, then it is a draft with its definition', () => {
    const events = defined();
    expect(events.map((e) => e.type)).toEqual(['CampaignDefined']);
    expect(given(events).state).toMatchObject({ status: 'draft', definition: definition() });
  });

  it('given a defined campaign, when the same definition comes again, then nothing; a different one breaks campaign-exists', () => {
    expect(given(defined()).when(define())).toEqual([]);
    expect(given(defined()).rule(define({ name: 'Other' }))).toBe('campaign-exists');
  });

  it.each([
    [
      'an unknown merge field',
      { steps: [{ ...definition().steps[0], variants: [{ variantId: 'a', weight: 1, template: { subject: 's', text: 'Hi {{nmae}}' } }] }] },
      'campaign-template',
    ],
    [
      'triple braces (unescaped HTML)',
      { steps: [{ ...definition().steps[0], variants: [{ variantId: 'a', weight: 1, template: { subject: 's', text: 't', html: '{{{name}}}' } }] }] },
      'campaign-template',
    ],
    [
      'an e-mail without subject',
      { steps: [{ ...definition().steps[0], variants: [{ variantId: 'a', weight: 1, template: { text: 't' } }] }] },
      'campaign-template',
    ],
    [
      'a subject on an SMS',
      { steps: [{ stepId: 's', channel: 'sms' as const, delayMinutes: 0, variants: [{ variantId: 'a', weight: 1, template: { subject: 's', text: 't' } }] }] },
      'campaign-template',
    ],
    [
      'five variants',
      {
        steps: [
          { ...definition().steps[0], variants: ['a', 'b', 'c', 'd', 'e'].map((v) => ({ variantId: v, weight: 1, template: { subject: 's', text: 't' } })) },
        ],
      },
      'campaign-variants',
    ],
    [
      'two variants with one id',
      { steps: [{ ...definition().steps[0], variants: [definition().steps[0].variants[0], definition().steps[0].variants[0]] }] },
      'campaign-variants',
    ],
    ['a zero weight', { steps: [{ ...definition().steps[0], variants: [{ ...definition().steps[0].variants[0], weight: 0 }] }] }, 'campaign-variants'],
    ['two steps with one id', { steps: [definition().steps[0], definition().steps[0]] }, 'campaign-steps'],
    ['no steps', { steps: [] }, 'campaign-steps'],
    ['a customer listed twice', { audience: { kind: 'list' as const, customerIds: [ids(1)[0], ids(1)[0]] } }, 'campaign-audience'],
    ['more than 10,000 listed', { audience: { kind: 'list' as const, customerIds: ids(MAX_LISTED_AUDIENCE + 1) } }, 'campaign-audience'],
    ['more than half held out', { controlBasisPoints: 5_001 }, 'campaign-definition'],
    ['no throttle', { throttlePerSecond: 0 }, 'campaign-definition'],
    ['a purpose that is not a slug', { purpose: 'Spring Offers' }, 'campaign-definition'],
    ['a fractional cost', { costPerMessage: { amountMinor: 2.5, currency: 'EUR' } }, 'campaign-definition'],
  ])('given nothing, when a campaign with %s is defined, then it breaks %s', (_what, over, rule) => {
    expect(given([]).rule(define(over as Partial<CampaignDefinition>))).toBe(rule);
  });

  it('given a defined campaign, when the same definition comes back with its keys in another order (a JSONB column sorts them), then nothing', () => {
    const reordered = JSON.parse(
      JSON.stringify(define(), (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v)),
    ) as CampaignCommand;
    expect(given(defined()).when(reordered)).toEqual([]);
  });

  it('given a draft, when it is revised, then the new definition holds; once started it cannot be revised', () => {
    const revise: CampaignCommand = {
      type: 'ReviseCampaign',
      data: { campaignId, ...definition({ name: 'Spring offer 2' }), revisedBy: 'mira', revisedAt: '2026-05-01T11:00:00.000Z' },
    };
    const events = [...defined(), ...given(defined()).when(revise)];
    expect(given(events).state.definition?.name).toBe('Spring offer 2');
    expect(given(events).when(revise)).toEqual([]);
    expect(given(started()).rule(revise)).toBe('campaign-status');
  });

  it('given a draft, when it is scheduled in the future, then it is scheduled; a start time not in the future breaks campaign-schedule', () => {
    const schedule = (startAt: string): CampaignCommand => ({
      type: 'ScheduleCampaign',
      data: { campaignId, startAt, scheduledBy: marketer, scheduledAt: '2026-05-01T10:00:00.000Z' },
    });
    const events = given(defined()).when(schedule('2026-05-03T08:00:00.000Z'));
    expect(given([...defined(), ...events]).state).toMatchObject({ status: 'scheduled', startAt: '2026-05-03T08:00:00.000Z' });
    expect(given(defined()).rule(schedule('2026-05-01T10:00:00.000Z'))).toBe('campaign-schedule');
  });

  it('given a draft, when it starts, then the audience is frozen in chunks of at most 1,000, each member in control or with a variant per step', () => {
    const members = ids(2_500);
    const events = started(members).slice(1);
    expect(events[0]).toMatchObject({ type: 'CampaignStarted', data: { audienceSize: 2_500, chunks: 3 } });
    const chunks = events.slice(1);
    expect(chunks.map((e) => e.type)).toEqual(['CampaignAudienceFrozen', 'CampaignAudienceFrozen', 'CampaignAudienceFrozen']);
    expect(chunks.map((e) => (e.type === 'CampaignAudienceFrozen' ? e.data.members.length : 0))).toEqual([AUDIENCE_CHUNK, AUDIENCE_CHUNK, 500]);
    const state = given(started(members)).state;
    expect(state.members.map((m) => m.customerId)).toEqual(members);
    const control = state.members.filter((m) => m.control);
    // 10 % held out, give or take what chance does with 2,500 (the hash is fixed: this count never changes).
    expect(control.length).toBeGreaterThan(180);
    expect(control.length).toBeLessThan(320);
    expect(state.controlSize).toBe(control.length);
    expect(control.every((m) => m.variants === undefined)).toBe(true);
    expect(state.members.filter((m) => !m.control).every((m) => m.variants?.length === 1 && ['a', 'b'].includes(m.variants[0]))).toBe(true);
  });

  it('given the same campaign and customers, when started twice (anywhere), then every member lands in the same group and variant', () => {
    const a = given(started(ids(200))).state.members;
    const b = given(started(ids(200).reverse())).state.members;
    const byId = new Map(b.map((m) => [m.customerId, m]));
    for (const m of a) expect(byId.get(m.customerId)).toEqual(m);
  });

  it('given a started campaign, when it starts again, then nothing; an empty audience breaks campaign-audience-empty', () => {
    expect(
      given(started()).when({ type: 'StartCampaign', data: { campaignId, startedAt: '2026-05-03T00:00:00.000Z', startedBy: marketer, members: ids(3) } }),
    ).toEqual([]);
    expect(
      given(defined()).rule({ type: 'StartCampaign', data: { campaignId, startedAt: '2026-05-03T00:00:00.000Z', startedBy: marketer, members: [] } }),
    ).toBe('campaign-audience-empty');
  });

  it('given a running campaign, when paused, resumed and closed, then each holds; a closed one cannot resume, a draft cannot pause', () => {
    const pause: CampaignCommand = { type: 'PauseCampaign', data: { campaignId, pausedBy: 'mira', pausedAt: '2026-05-02T10:00:00.000Z' } };
    const resume: CampaignCommand = { type: 'ResumeCampaign', data: { campaignId, resumedBy: 'mira', resumedAt: '2026-05-02T11:00:00.000Z' } };
    const close: CampaignCommand = { type: 'CloseCampaign', data: { campaignId, closedBy: 'mira', closedAt: '2026-05-02T12:00:00.000Z' } };
    const paused = [...started(), ...given(started()).when(pause)];
    expect(given(paused).state.status).toBe('paused');
    expect(given(paused).when(pause)).toEqual([]);
    const resumed = [...paused, ...given(paused).when(resume)];
    expect(given(resumed).state.status).toBe('running');
    const closed = [...resumed, ...given(resumed).when(close)];
    expect(given(closed).state.status).toBe('closed');
    expect(given(closed).when(close)).toEqual([]);
    expect(given(closed).rule(resume)).toBe('campaign-status');
    expect(given(defined()).rule(pause)).toBe('campaign-status');
    expect(given([]).rule(pause)).toBe('campaign-unknown');
  });
});

describe('assignment', () => {
  it('is deterministic, case-blind, and spreads evenly', () => {
    expect(bucketOf('A', 'b')).toBe(bucketOf('a', 'B'));
    const buckets = ids(10_000).map((id) => bucketOf(campaignId, id));
    const low = buckets.filter((b) => b < 5_000).length;
    expect(low).toBeGreaterThan(4_800);
    expect(low).toBeLessThan(5_200);
    expect(ids(100).filter((id) => inControlGroup(campaignId, id, 0))).toEqual([]);
  });

  it('gives variants in proportion to their weights', () => {
    const variants = [
      { variantId: 'a', weight: 3 },
      { variantId: 'b', weight: 1 },
    ];
    const picked = ids(8_000).map((id) => variantFor(campaignId, id, 'mail-1', variants));
    const a = picked.filter((v) => v === 'a').length;
    expect(a).toBeGreaterThan(5_700);
    expect(a).toBeLessThan(6_300);
  });
});

describe('template merge fields', () => {
  it('lists the known plain fields and refuses anything else', () => {
    expect(mergeFieldsOf('Hi {{ name }}, {{email}} {{name}}', 'text').sort()).toEqual(['email', 'name']);
    expect(mergeFieldsOf('no fields at all', 'text')).toEqual([]);
    for (const bad of ['{{#if name}}x{{/if}}', '{{> partial}}', '{{!-- c --}}', '{{name.length}}', '{{ name', 'x }}', '{{constructor}}'])
      expect(() => mergeFieldsOf(bad, 'text')).toThrow(DomainRuleViolation);
  });
});
