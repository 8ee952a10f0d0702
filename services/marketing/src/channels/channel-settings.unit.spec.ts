import { loadConfig } from '@crm/config';
import { TestClock } from '@crm/kernel';
import { MarketingConfig } from '../marketing';
import type { CampaignListsStore } from './campaign-lists';
import { SmtpMessageSender } from './email/smtp-message-sender';
import { LoggingMessageSender } from './logging-message-sender';
import { PrintListSender } from './mail/print-list-sender';
import { messageSenders } from './message-senders.provider';
import { CallListSender } from './phone/call-list-sender';
import { HttpSmsSender } from './sms/http-sms-sender';

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

  it('the senders follow the settings: SMTP and the SMS provider when configured, logging otherwise; phone and mail are lists', async () => {
    const lists = {} as CampaignListsStore;
    const clock = new TestClock('2026-05-01T10:00:00.000Z');
    const embedded = messageSenders(loadConfig(MarketingConfig, {}), lists, clock, () => undefined);
    expect([...embedded.entries()].map(([c, s]) => [c, s.constructor.name])).toEqual([
      ['email', LoggingMessageSender.name],
      ['sms', LoggingMessageSender.name],
      ['phone', CallListSender.name],
      ['mail', PrintListSender.name],
    ]);
    const configured = messageSenders(
      loadConfig(MarketingConfig, {
        CRM_SMTP_URL: 'smtp://127.0.0.1:11025',
        CRM_CAMPAIGN_FROM: 'news@crm.example.com',
        CRM_SMS_URL: 'https://sms.example.com/v1/messages',
      }),
      lists,
      clock,
      () => undefined,
    );
    expect(configured.get('email')).toBeInstanceOf(SmtpMessageSender);
    expect(configured.get('sms')).toBeInstanceOf(HttpSmsSender);
    await configured.get('email')!.close!();
  });
});
