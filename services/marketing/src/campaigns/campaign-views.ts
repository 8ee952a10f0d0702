import { campaignMessageId, recipientKey, type CampaignStatus } from '@crm/campaigns';
import { CURSOR_NOT_GIVEN_OUT, cursorParts, decodeCursor, encodeCursor, InvalidCursorError } from '@crm/relationship-read-models';
import type { CampaignRead } from './campaign-commands';
import type { CampaignDirectory, DirectoryCampaign } from './campaign-directory';
import type {
  CampaignCountsDto,
  CampaignDefinitionDto,
  CampaignListPageDto,
  CampaignMessagesPageDto,
  CampaignRecipientDto,
  CampaignSummaryDto,
  CampaignViewDto,
} from './campaigns.dto';

/** The counts so far of a campaign: its frozen audience × steps, by what became of each message. */
export function countsOf(c: DirectoryCampaign | undefined, read?: CampaignRead['state']): CampaignCountsDto {
  const state = read ?? c?.state;
  const counts: CampaignCountsDto = {
    audience: state?.audienceSize ?? 0,
    control: state?.controlSize ?? 0,
    sent: 0,
    suppressed: {},
    bounced: 0,
    deferred: 0,
    pending: 0,
  };
  const steps = state?.definition?.steps ?? [];
  // A triggered campaign's recipients are admitted while it runs, each with the steps its firing sends.
  const triggered = c?.triggered ?? [];
  counts.audience += triggered.length;
  counts.control += triggered.filter((m) => m.control).length;
  let expected = (state?.audienceSize ?? 0) * steps.length;
  for (const m of triggered) expected += m.steps?.length ?? steps.length;
  let decided = 0;
  for (const r of c?.recipients.values() ?? []) {
    for (const step of steps) {
      const m = r.state.steps[step.stepId];
      if (!m) continue;
      decided++;
      if (m.status === 'sent') counts.sent++;
      else if (m.status === 'bounced') counts.bounced++;
      else if (m.status === 'deferred') counts.deferred++;
      else if (m.status === 'suppressed') counts.suppressed[m.reason ?? 'unknown'] = (counts.suppressed[m.reason ?? 'unknown'] ?? 0) + 1;
    }
  }
  counts.pending = Math.max(0, expected - decided);
  return counts;
}

export function campaignView(read: CampaignRead, c: DirectoryCampaign | undefined): CampaignViewDto {
  const s = read.state;
  return {
    ...(s.definition as unknown as CampaignDefinitionDto),
    campaignId: s.campaignId!,
    status: s.status,
    definedAt: s.definedAt!,
    definedBy: s.definedBy!,
    ...(s.startAt && { startAt: s.startAt }),
    ...(s.startedAt && { startedAt: s.startedAt }),
    ...(s.pausedAt && { pausedAt: s.pausedAt }),
    ...(s.closedAt && { closedAt: s.closedAt }),
    counts: countsOf(c, s),
    revision: String(read.revision),
  };
}

const LIST_CURSOR = [
  cursorParts.list('campaigns'),
  cursorParts.text({ min: 1, max: 40, valid: (t) => !Number.isNaN(Date.parse(t)) }),
  cursorParts.text({ min: 36, max: 36 }),
] as const;

/** Campaigns, newest defined first (ties by id), optionally of one status; keyset-paged. */
export function listCampaigns(directory: CampaignDirectory, q: { status?: CampaignStatus; limit?: number; cursor?: string }): CampaignListPageDto {
  const limit = q.limit ?? 50;
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, LIST_CURSOR);
  const rows = directory
    .all()
    .filter((c) => c.state.status !== undefined && c.state.definition !== undefined && (q.status === undefined || c.state.status === q.status))
    .sort((a, b) => b.state.definedAt!.localeCompare(a.state.definedAt!) || a.state.campaignId!.localeCompare(b.state.campaignId!))
    .filter((c) => !after || c.state.definedAt! < after[1] || (c.state.definedAt === after[1] && c.state.campaignId! > after[2]));
  const page = rows.slice(0, limit);
  const items: CampaignSummaryDto[] = page.map((c) => ({
    campaignId: c.state.campaignId!,
    name: c.state.definition!.name,
    purpose: c.state.definition!.purpose,
    status: c.state.status!,
    definedAt: c.state.definedAt!,
    ...(c.state.startAt && { startAt: c.state.startAt }),
    ...(c.state.startedAt && { startedAt: c.state.startedAt }),
    counts: countsOf(c),
  }));
  const last = page[page.length - 1];
  return { items, ...(rows.length > limit && last && { nextCursor: encodeCursor(['campaigns', last.state.definedAt!, last.state.campaignId!]) }) };
}

const MESSAGES_CURSOR = [cursorParts.list('campaign-messages'), cursorParts.text({ min: 36, max: 36 }), cursorParts.integer()] as const;

/** Per recipient of the frozen audience, in its order: the group and what became of each step's message. */
export function campaignMessages(read: CampaignRead, c: DirectoryCampaign | undefined, q: { limit?: number; cursor?: string }): CampaignMessagesPageDto {
  const s = read.state;
  const campaignId = s.campaignId!;
  const limit = q.limit ?? 100;
  let from = 0;
  if (q.cursor !== undefined) {
    const [, id, index] = decodeCursor(q.cursor, MESSAGES_CURSOR);
    if (id !== campaignId || index < 0) throw new InvalidCursorError(CURSOR_NOT_GIVEN_OUT);
    from = index;
  }
  // The frozen audience in its order, then the recipients trigger firings admitted, in the order admitted.
  const all = [...s.members, ...(c?.triggered ?? [])];
  const members = all.slice(from, from + limit);
  const items: CampaignRecipientDto[] = members.map((m) => {
    const key = recipientKey(m);
    const r = c?.recipients.get(key.toLowerCase())?.state;
    return {
      customerId: m.customerId,
      group: m.control ? 'control' : 'treatment',
      ...(m.firingId !== undefined && { firingId: m.firingId }),
      ...(m.triggeredAt !== undefined && { triggeredAt: m.triggeredAt }),
      messages: s.definition.steps
        .map((step, i) => ({ step, i }))
        .filter(({ step }) => !m.steps || m.steps.some((own) => own.stepId === step.stepId))
        .map(({ step, i }) => {
          const msg = r?.steps[step.stepId];
          return {
            stepId: step.stepId,
            channel: step.channel,
            messageId: campaignMessageId(campaignId, key, step.stepId),
            status: msg?.status ?? 'pending',
            ...((msg?.variantId ?? m.variants?.[i]) !== undefined && { variantId: msg?.variantId ?? m.variants?.[i] }),
            attempts: msg?.attempts ?? 0,
            ...(msg && { at: msg.at }),
            ...(msg?.reason !== undefined && { reason: msg.reason }),
            ...(msg?.retryAt !== undefined && { retryAt: msg.retryAt }),
            ...(msg?.consentSeen !== undefined && { consentSeen: msg.consentSeen }),
            ...(msg?.consentBasis !== undefined && { consentBasis: msg.consentBasis }),
          };
        }),
    };
  });
  const next = from + limit;
  return { items, ...(next < all.length && { nextCursor: encodeCursor(['campaign-messages', campaignId, next]) }) };
}
