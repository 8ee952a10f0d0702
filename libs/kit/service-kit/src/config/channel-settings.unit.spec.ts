import { loadConfig } from '@crm/config';
import { serviceConfigClass } from './service-config';

// The contact centre's channel settings (issue 12 §2): their defaults, and bad values named.
describe('channel settings', () => {
  const Config = serviceConfigClass(3102);
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(Config, env);
      return [];
    } catch (error) {
      return (error as { problems?: { setting: string }[] }).problems?.map((p) => p.setting) ?? [String(error)];
    }
  };

  it('defaults: telephony and inbound mail off, replies logged from service@crm.localhost, cases continued within 72 hours', () => {
    const c = loadConfig(Config, {});
    expect([c.CRM_TELEPHONY_AUTH_TOKEN, c.CRM_INBOUND_MAIL_SECRET, c.CRM_SMTP_URL]).toEqual([undefined, undefined, undefined]);
    expect([c.CRM_MAIL_FROM, c.CRM_MAIL_OUTBOX_INTERVAL_MS, c.CRM_CASE_CONTINUATION_HOURS]).toEqual(['service@crm.localhost', 1000, 72]);
  });

  it('takes SMTP URLs with credentials, and refuses what is not one', () => {
    expect(loadConfig(Config, { CRM_SMTP_URL: 'smtp://user:pass@127.0.0.1:11025' }).CRM_SMTP_URL).toBe('smtp://user:pass@127.0.0.1:11025');
    expect(loadConfig(Config, { CRM_SMTP_URL: 'smtps://mail.example.com:465' }).CRM_SMTP_URL).toBe('smtps://mail.example.com:465');
    expect(problems({ CRM_SMTP_URL: 'http://mail.example.com' })).toEqual(['CRM_SMTP_URL']);
    expect(problems({ CRM_MAIL_FROM: 'not an address' })).toEqual(['CRM_MAIL_FROM']);
    expect(problems({ CRM_TELEPHONY_WEBHOOK_BASE_URL: 'crm.example.com' })).toEqual(['CRM_TELEPHONY_WEBHOOK_BASE_URL']);
    expect(problems({ CRM_CASE_CONTINUATION_HOURS: '-1' })).toEqual(['CRM_CASE_CONTINUATION_HOURS']);
    expect(problems({ CRM_MAIL_OUTBOX_INTERVAL_MS: '10' })).toEqual(['CRM_MAIL_OUTBOX_INTERVAL_MS']);
  });

  it("takes the e-mail provider's webhook secret as whsec_<base64> or 32+ characters, off when unset", () => {
    expect(loadConfig(Config, {}).CRM_EMAIL_WEBHOOK_SECRET).toBeUndefined();
    expect(loadConfig(Config, { CRM_EMAIL_WEBHOOK_SECRET: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD' }).CRM_EMAIL_WEBHOOK_SECRET).toBe(
      'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD',
    );
    expect(loadConfig(Config, { CRM_EMAIL_WEBHOOK_SECRET: 'x'.repeat(32) }).CRM_EMAIL_WEBHOOK_SECRET).toBe('x'.repeat(32));
    expect(problems({ CRM_EMAIL_WEBHOOK_SECRET: 'short' })).toEqual(['CRM_EMAIL_WEBHOOK_SECRET']);
    expect(problems({ CRM_EMAIL_WEBHOOK_SECRET: 'whsec_short' })).toEqual(['CRM_EMAIL_WEBHOOK_SECRET']);
    expect(problems({ CRM_EMAIL_WEBHOOK_SECRET: `whsec_${'!'.repeat(40)}` })).toEqual(['CRM_EMAIL_WEBHOOK_SECRET']);
  });
});
