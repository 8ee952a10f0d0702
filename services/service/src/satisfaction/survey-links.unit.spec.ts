import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HttpProblem } from '@crm/service-kit';
import { ensureSurveySecret, SurveyLinks } from './survey-links';

const secret = Buffer.alloc(32, 7);
const links = new SurveyLinks(secret, 14);
const subject = { episodeId: 'e1', customerId: 'c1', resolvedAt: '2026-03-02T09:00:00.000Z' };
const statusOf = (f: () => unknown) => {
  try {
    f();
    return 200;
  } catch (error) {
    return error instanceof HttpProblem ? error.status : 500;
  }
};

describe('signed survey links', () => {
  it('a link verifies to its claims until resolvedAt + the days, then is 410', () => {
    const { token, expiresAt } = links.sign(subject);
    expect(expiresAt).toBe('2026-03-16T09:00:00.000Z');
    expect(links.verify(token, new Date('2026-03-16T08:59:59.999Z'))).toEqual({ ...subject, expiresAt });
    expect(statusOf(() => links.verify(token, new Date('2026-03-16T09:00:00.000Z')))).toBe(410);
  });

  it('the same resolution gives the same link', () => {
    expect(links.sign(subject).token).toBe(links.sign(subject).token);
    expect(links.sign({ ...subject, resolvedAt: '2026-03-05T09:00:00.000Z' }).token).not.toBe(links.sign(subject).token);
  });

  it('a link signed with another secret, or with its payload changed, is 403', () => {
    const now = new Date('2026-03-03T00:00:00Z');
    const other = new SurveyLinks(Buffer.alloc(32, 8), 14).sign(subject).token;
    expect(statusOf(() => links.verify(other, now))).toBe(403);
    const [, mac] = links.sign(subject).token.split('.');
    const [payload] = links.sign({ ...subject, episodeId: 'e2' }).token.split('.');
    expect(statusOf(() => links.verify(`${payload}.${mac}`, now))).toBe(403);
    for (const garbage of ['', '.', 'a.b', 'x'.repeat(2000), `${payload}.${mac}x`]) expect(statusOf(() => links.verify(garbage, now))).toBe(403);
  });

  it('refuses a secret shorter than 32 bytes', () => {
    expect(() => new SurveyLinks(Buffer.alloc(31), 14)).toThrow(/32 bytes/);
  });

  it('the embedded secret is created once and then read', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-survey-secret-'));
    try {
      const [a, b] = await Promise.all([ensureSurveySecret(dir), ensureSurveySecret(dir)]);
      expect(a.length).toBe(32);
      expect(b.equals(a)).toBe(true);
      expect((await ensureSurveySecret(dir)).equals(a)).toBe(true);
      expect(fs.readdirSync(path.join(dir, 'keys'))).toEqual(['survey-secret']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
