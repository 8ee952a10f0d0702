import { Webhook } from 'standardwebhooks';
import { HttpProblem } from '@crm/service-kit';
import { backoffMs, BACKOFF_CAP_MS } from './webhook-dispatcher.process';
import { assertWebhookUrl, WebhookSecrets } from './webhook-secrets';
import { partnerSeesEpisodeEvent } from './partner-webhooks.projection';

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(HttpProblem);
    return (error as HttpProblem).message;
  }
  throw new Error('not refused');
};

describe('webhook secrets, URLs, backoff and visibility', () => {
  it('derives a whsec_ secret per subscription and version, usable by standardwebhooks, never the same after a rotation', () => {
    const secrets = new WebhookSecrets(Buffer.from('k'.repeat(32)));
    const v1 = secrets.secretOf('s1', 1);
    expect(v1).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(secrets.secretOf('s1', 1)).toBe(v1);
    expect(secrets.secretOf('s1', 2)).not.toBe(v1);
    expect(secrets.secretOf('s2', 1)).not.toBe(v1);
    expect(new WebhookSecrets(Buffer.from('j'.repeat(32))).secretOf('s1', 1)).not.toBe(v1);
    expect(new Webhook(v1).sign('msg', new Date('2026-06-01T09:00:00Z'), '{}')).toMatch(/^v1,/);
  });

  it('takes https URLs; http only when allowed; never credentials, other schemes or more than 2,000 characters', () => {
    expect(assertWebhookUrl('https://hooks.example.com/crm', false)).toBe('https://hooks.example.com/crm');
    expect(refusal(() => assertWebhookUrl('http://hooks.example.com/crm', false))).toBe('url must be an https URL');
    expect(assertWebhookUrl('http://127.0.0.1:8080/crm', true)).toBe('http://127.0.0.1:8080/crm');
    expect(refusal(() => assertWebhookUrl('https://user:secret@hooks.example.com/', false))).toContain('credentials');
    expect(refusal(() => assertWebhookUrl('https://user@hooks.example.com/', false))).toContain('credentials');
    expect(refusal(() => assertWebhookUrl('ftp://hooks.example.com/', true))).toContain('https or http');
    expect(refusal(() => assertWebhookUrl('/relative', false))).toContain('absolute');
    expect(refusal(() => assertWebhookUrl(`https://hooks.example.com/${'a'.repeat(2000)}`, false))).toContain('2000');
  });

  it('backs off from 10 s, doubling, capped at an hour, with jitter between half and all of it', () => {
    expect(backoffMs(1, () => 0)).toBe(5000);
    expect(backoffMs(1, () => 1)).toBe(10_000);
    expect(backoffMs(2, () => 0)).toBe(10_000);
    expect(backoffMs(4, () => 1)).toBe(80_000);
    expect(backoffMs(30, () => 1)).toBe(BACKOFF_CAP_MS);
    expect(backoffMs(30, () => 0)).toBe(BACKOFF_CAP_MS / 2);
  });

  it("lets a partner see an event only under a share in force then, never another partner's episode, its own always, else the share's types", () => {
    const at = new Date('2026-06-01T09:00:00Z');
    const share = { customerId: 'c1', sharedAt: '', sharedBy: '' };
    const dept = { episodeType: 'opportunity', ownerPartnerId: null };
    expect(partnerSeesEpisodeEvent('p1', share, dept, at)).toBe(true);
    expect(partnerSeesEpisodeEvent('p1', undefined, dept, at)).toBe(false);
    expect(partnerSeesEpisodeEvent('p1', { ...share, expiresAt: '2026-06-01T09:00:00.000Z' }, dept, at)).toBe(false);
    expect(partnerSeesEpisodeEvent('p1', { ...share, expiresAt: '2026-06-02T00:00:00.000Z' }, dept, at)).toBe(true);
    expect(partnerSeesEpisodeEvent('p1', share, { episodeType: 'partner-deal', ownerPartnerId: 'p2' }, at)).toBe(false);
    expect(partnerSeesEpisodeEvent('p1', { ...share, episodeTypes: ['case'] }, { episodeType: 'partner-deal', ownerPartnerId: 'p1' }, at)).toBe(true);
    expect(partnerSeesEpisodeEvent('p1', { ...share, episodeTypes: ['case'] }, dept, at)).toBe(false);
    expect(partnerSeesEpisodeEvent('p1', { ...share, episodeTypes: ['opportunity'] }, dept, at)).toBe(true);
  });
});
