import { loadConfig } from '@crm/config';
import { MarketingConfig } from '../marketing';

// Marketing's channel settings (issue 13 §3): defaults, and a bad value stops the process naming the setting.
describe('marketing channel settings', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(MarketingConfig, env);
      return [];
    } catch (error) {
      return (error as { problems?: { setting: string }[] }).problems?.map((p) => p.setting) ?? [String(error)];
    }
  };

  it('defaults: no SMTP, no SMS provider, no public address (messages are logged; links on localhost)', () => {
    const c = loadConfig(MarketingConfig, {});
    expect([c.CRM_SMTP_URL, c.CRM_SMS_URL, c.CRM_SMS_TOKEN, c.CRM_MARKETING_PUBLIC_URL]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('takes an SMS provider URL, its token and a public address; refuses what is not a URL, naming the setting', () => {
    const c = loadConfig(MarketingConfig, {
      CRM_SMS_URL: 'https://sms.example.com/v1/messages',
      CRM_SMS_TOKEN: 't0ken',
      CRM_MARKETING_PUBLIC_URL: 'https://crm.example.com/marketing',
    });
    expect([c.CRM_SMS_URL, c.CRM_SMS_TOKEN, c.CRM_MARKETING_PUBLIC_URL]).toEqual([
      'https://sms.example.com/v1/messages',
      't0ken',
      'https://crm.example.com/marketing',
    ]);
    expect(problems({ CRM_SMS_URL: 'sms.example.com' })).toEqual(['CRM_SMS_URL']);
    expect(problems({ CRM_SMS_URL: 'ftp://sms.example.com' })).toEqual(['CRM_SMS_URL']);
    // An empty variable is an unset one (as for every setting).
    expect(loadConfig(MarketingConfig, { CRM_SMS_TOKEN: '' }).CRM_SMS_TOKEN).toBeUndefined();
    expect(problems({ CRM_MARKETING_PUBLIC_URL: 'crm.example.com' })).toEqual(['CRM_MARKETING_PUBLIC_URL']);
    expect(problems({ CRM_SMTP_URL: 'http://mail.example.com' })).toEqual(['CRM_SMTP_URL']);
  });
});
