import path from 'node:path';
import { ConfigError, loadConfig, settingNames } from '@crm/config';
import { authSettings, ServiceConfig, serviceConfigClass } from './service-config';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(serviceConfigClass(3101), env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => p.setting).sort();
    throw e;
  }
  return [];
}

describe('ServiceConfig', () => {
  it('takes the port default from the service, the rest from the kit', () => {
    const c = loadConfig(serviceConfigClass(3101), {});
    expect(c).toBeInstanceOf(ServiceConfig);
    expect(c.CRM_HTTP_PORT).toBe(3101);
    expect(c.CRM_HTTP_HOST).toBe('0.0.0.0');
    expect(c.CRM_JWT_ISSUER).toBe('crm-embedded');
    expect(c.CRM_JWT_AUDIENCE).toBe('crm');
    expect(c.CRM_JWKS_URL).toBeUndefined();
    expect(c.CRM_MODE).toBe('embedded');
    expect(loadConfig(serviceConfigClass(4000), {}).CRM_HTTP_PORT).toBe(4000);
  });

  it('parses the settings', () => {
    const c = loadConfig(serviceConfigClass(3101), {
      CRM_HTTP_PORT: '8080',
      CRM_HTTP_HOST: '127.0.0.1',
      CRM_JWT_ISSUER: 'https://idp.example.com/realms/crm',
      CRM_JWT_AUDIENCE: 'crm-api',
      CRM_JWKS_URL: 'https://idp.example.com/realms/crm/protocol/openid-connect/certs',
    });
    expect(c).toMatchObject({ CRM_HTTP_PORT: 8080, CRM_HTTP_HOST: '127.0.0.1', CRM_JWT_AUDIENCE: 'crm-api' });
    expect(problems({ CRM_JWKS_URL: 'http://localhost:8080/jwks' })).toEqual([]);
  });

  it('takes the reporting currency, EUR by default, and refuses one that is not ISO 4217', () => {
    expect(loadConfig(serviceConfigClass(3101), {}).CRM_REPORTING_CURRENCY).toBe('EUR');
    expect(loadConfig(serviceConfigClass(3101), { CRM_REPORTING_CURRENCY: 'IDR' }).CRM_REPORTING_CURRENCY).toBe('IDR');
    for (const bad of ['eur', 'EURO', 'XYZ', 'XAU', '978']) expect(problems({ CRM_REPORTING_CURRENCY: bad })).toEqual(['CRM_REPORTING_CURRENCY']);
  });

  it('takes the lifetime value defaults of analytics and names bad ones', () => {
    expect(loadConfig(serviceConfigClass(3101), {})).toMatchObject({
      CRM_CLV_HORIZON_MONTHS: 12,
      CRM_CLV_DISCOUNT_RATE: 0.01,
      CRM_CLV_MARGIN: 1,
      CRM_CLV_UNIT: 'week',
      CRM_VALUE_TIERS: 'platinum:1,gold:5,silver:20',
    });
    expect(loadConfig(serviceConfigClass(3101), { CRM_CLV_DISCOUNT_RATE: '0.02', CRM_CLV_MARGIN: '0.3' })).toMatchObject({
      CRM_CLV_DISCOUNT_RATE: 0.02,
      CRM_CLV_MARGIN: 0.3,
    });
    expect(problems({ CRM_CLV_HORIZON_MONTHS: '0' })).toEqual(['CRM_CLV_HORIZON_MONTHS']);
    expect(problems({ CRM_CLV_DISCOUNT_RATE: '5' })).toEqual(['CRM_CLV_DISCOUNT_RATE']);
    expect(problems({ CRM_CLV_MARGIN: 'half' })).toEqual(['CRM_CLV_MARGIN']);
    expect(problems({ CRM_CLV_UNIT: 'month' })).toEqual(['CRM_CLV_UNIT']);
    expect(problems({ CRM_VALUE_TIERS: 'gold:5' })).toEqual(['CRM_VALUE_TIERS']);
  });

  it('names malformed settings and refuses unknown CRM_ ones', () => {
    expect(problems({ CRM_HTTP_PORT: '0' })).toEqual(['CRM_HTTP_PORT']);
    expect(problems({ CRM_HTTP_PORT: '70000' })).toEqual(['CRM_HTTP_PORT']);
    expect(problems({ CRM_HTTP_PORT: 'http' })).toEqual(['CRM_HTTP_PORT']);
    expect(problems({ CRM_JWKS_URL: 'ftp://idp/jwks' })).toEqual(['CRM_JWKS_URL']);
    expect(problems({ CRM_JWKS_URL: 'not a url' })).toEqual(['CRM_JWKS_URL']);
    expect(problems({ CRM_JWT_ISSUR: 'x' })).toEqual(['CRM_JWT_ISSUR']);
  });

  it('takes the activity scheduler interval from 50 ms to an hour, 1 s by default', () => {
    expect(loadConfig(serviceConfigClass(3101), {}).CRM_ACTIVITY_SCHEDULER_INTERVAL_MS).toBe(1000);
    expect(loadConfig(serviceConfigClass(3101), { CRM_ACTIVITY_SCHEDULER_INTERVAL_MS: '250' }).CRM_ACTIVITY_SCHEDULER_INTERVAL_MS).toBe(250);
    for (const bad of ['10', '3600001', 'soon', '1.5'])
      expect(problems({ CRM_ACTIVITY_SCHEDULER_INTERVAL_MS: bad })).toEqual(['CRM_ACTIVITY_SCHEDULER_INTERVAL_MS']);
  });

  it('takes the SLA timer interval from 50 ms to an hour, 1 s by default', () => {
    expect(loadConfig(serviceConfigClass(3101), {}).CRM_SLA_TIMER_INTERVAL_MS).toBe(1000);
    expect(loadConfig(serviceConfigClass(3101), { CRM_SLA_TIMER_INTERVAL_MS: '250' }).CRM_SLA_TIMER_INTERVAL_MS).toBe(250);
    for (const bad of ['10', '3600001', 'soon', '1.5']) expect(problems({ CRM_SLA_TIMER_INTERVAL_MS: bad })).toEqual(['CRM_SLA_TIMER_INTERVAL_MS']);
  });

  it('takes the SLA escalation interval: 0 (only on tick) or 50 ms to an hour, 1 s by default; the notify domain a domain name', () => {
    expect(loadConfig(serviceConfigClass(3101), {}).CRM_ESCALATION_INTERVAL_MS).toBe(1000);
    expect(loadConfig(serviceConfigClass(3101), { CRM_ESCALATION_INTERVAL_MS: '0' }).CRM_ESCALATION_INTERVAL_MS).toBe(0);
    expect(loadConfig(serviceConfigClass(3101), { CRM_ESCALATION_INTERVAL_MS: '250' }).CRM_ESCALATION_INTERVAL_MS).toBe(250);
    for (const bad of ['10', '3600001', 'soon', '1.5', '-1']) expect(problems({ CRM_ESCALATION_INTERVAL_MS: bad })).toEqual(['CRM_ESCALATION_INTERVAL_MS']);
    expect(problems({ CRM_CONSENT_LINK_SECRET: 'short' })).toEqual(['CRM_CONSENT_LINK_SECRET']);
    expect(loadConfig(serviceConfigClass(3101), { CRM_CONSENT_LINK_SECRET: 'x'.repeat(32) }).CRM_CONSENT_LINK_SECRET).toBe('x'.repeat(32));
    expect(loadConfig(serviceConfigClass(3101), {}).CRM_RETURN_FOLLOW_INTERVAL_MS).toBe(1000);
    expect(loadConfig(serviceConfigClass(3101), { CRM_RETURN_FOLLOW_INTERVAL_MS: '0' }).CRM_RETURN_FOLLOW_INTERVAL_MS).toBe(0);
    for (const bad of ['10', '3600001', 'soon', '1.5', '-1'])
      expect(problems({ CRM_RETURN_FOLLOW_INTERVAL_MS: bad })).toEqual(['CRM_RETURN_FOLLOW_INTERVAL_MS']);
    expect(loadConfig(serviceConfigClass(3101), {}).CRM_TRIGGER_TIMER_INTERVAL_MS).toBe(1000);
    expect(loadConfig(serviceConfigClass(3101), {}).CRM_CHURN_ASSESSMENT_INTERVAL_MS).toBe(86_400_000);
    expect(loadConfig(serviceConfigClass(3101), { CRM_CHURN_ASSESSMENT_INTERVAL_MS: '0' }).CRM_CHURN_ASSESSMENT_INTERVAL_MS).toBe(0);
    for (const bad of ['59999', '604800001', 'daily', '-1'])
      expect(problems({ CRM_CHURN_ASSESSMENT_INTERVAL_MS: bad })).toEqual(['CRM_CHURN_ASSESSMENT_INTERVAL_MS']);
    expect(loadConfig(serviceConfigClass(3101), { CRM_TRIGGER_TIMER_INTERVAL_MS: '0' }).CRM_TRIGGER_TIMER_INTERVAL_MS).toBe(0);
    for (const bad of ['10', '3600001', 'soon', '1.5', '-1'])
      expect(problems({ CRM_TRIGGER_TIMER_INTERVAL_MS: bad })).toEqual(['CRM_TRIGGER_TIMER_INTERVAL_MS']);
    expect(loadConfig(serviceConfigClass(3101), {}).CRM_ESCALATION_NOTIFY_DOMAIN).toBeUndefined();
    expect(loadConfig(serviceConfigClass(3101), { CRM_ESCALATION_NOTIFY_DOMAIN: 'example.com' }).CRM_ESCALATION_NOTIFY_DOMAIN).toBe('example.com');
    for (const bad of ['a b', 'x@example.com', '-bad.com']) expect(problems({ CRM_ESCALATION_NOTIFY_DOMAIN: bad })).toEqual(['CRM_ESCALATION_NOTIFY_DOMAIN']);
  });

  it('takes the case router interval (50 ms to an hour, 1 s) and the offer timeout (5 s to a day, 30 s)', () => {
    const config = loadConfig(serviceConfigClass(3101), {});
    expect([config.CRM_ROUTING_INTERVAL_MS, config.CRM_ROUTING_OFFER_TIMEOUT_SECONDS]).toEqual([1000, 30]);
    expect(loadConfig(serviceConfigClass(3101), { CRM_ROUTING_OFFER_TIMEOUT_SECONDS: '120' }).CRM_ROUTING_OFFER_TIMEOUT_SECONDS).toBe(120);
    for (const bad of ['10', '3600001', 'soon']) expect(problems({ CRM_ROUTING_INTERVAL_MS: bad })).toEqual(['CRM_ROUTING_INTERVAL_MS']);
    for (const bad of ['4', '86401', '1.5']) expect(problems({ CRM_ROUTING_OFFER_TIMEOUT_SECONDS: bad })).toEqual(['CRM_ROUTING_OFFER_TIMEOUT_SECONDS']);
  });

  it('takes the warranty length in whole months (1 to 240, 24); a bad value names the setting', () => {
    expect(loadConfig(serviceConfigClass(3101), {}).CRM_WARRANTY_MONTHS).toBe(24);
    expect(loadConfig(serviceConfigClass(3101), { CRM_WARRANTY_MONTHS: '12' }).CRM_WARRANTY_MONTHS).toBe(12);
    for (const bad of ['0', '241', '1.5', 'two years']) expect(problems({ CRM_WARRANTY_MONTHS: bad })).toEqual(['CRM_WARRANTY_MONTHS']);
  });

  it('declares its settings (for deploy manifests) including the platform ones', () => {
    const names = settingNames(serviceConfigClass(3101));
    expect(names).toEqual(
      expect.arrayContaining([
        'CRM_HTTP_PORT',
        'CRM_HTTP_HOST',
        'CRM_JWT_ISSUER',
        'CRM_JWT_AUDIENCE',
        'CRM_JWKS_URL',
        'CRM_JWKS_FILE',
        'CRM_SIGNING_KEY_FILE',
        'CRM_MODE',
      ]),
    );
  });

  it('refuses a default port out of range', () => {
    expect(() => serviceConfigClass(0)).toThrow(RangeError);
  });
});

describe('authSettings', () => {
  it('puts the key files under CRM_DATA_DIR/keys by default', () => {
    const s = authSettings(loadConfig(serviceConfigClass(3101), { CRM_DATA_DIR: '/var/crm' }));
    expect(s).toEqual({
      issuer: 'crm-embedded',
      audience: 'crm',
      jwksUrl: undefined,
      jwksFile: '/var/crm/keys/jwks.json',
      jwksFileIsDefault: true,
      signingKeyFile: '/var/crm/keys/signing-key.json',
      signingKeyFileIsDefault: true,
      keysDir: '/var/crm/keys',
    });
  });

  it('uses the files and URL given, resolved to absolute paths', () => {
    const s = authSettings(
      loadConfig(serviceConfigClass(3101), { CRM_JWKS_FILE: 'conf/jwks.json', CRM_SIGNING_KEY_FILE: '/secrets/key.json', CRM_JWKS_URL: 'https://idp/jwks' }),
    );
    expect(s.jwksFile).toBe(path.resolve('conf/jwks.json'));
    expect(s.jwksFileIsDefault).toBe(false);
    expect(s.signingKeyFile).toBe('/secrets/key.json');
    expect(s.signingKeyFileIsDefault).toBe(false);
    expect(s.jwksUrl?.href).toBe('https://idp/jwks');
  });
});

describe('ServiceConfig: HTTP hardening settings', () => {
  it('defaults to no CORS origin, a generous rate limit and no trusted proxy', () => {
    const c = loadConfig(serviceConfigClass(3101), {});
    expect(c.CRM_CORS_ORIGINS).toBeUndefined();
    expect(c.CRM_RATE_LIMIT_PER_MINUTE).toBe(10_000);
    expect(c.CRM_TRUST_PROXY_HOPS).toBe(0);
  });

  it('reads a comma list of origins, a limit (0 = none) and proxy hops', () => {
    const c = loadConfig(serviceConfigClass(3101), {
      CRM_CORS_ORIGINS: 'https://crm.example.com, http://localhost:5173',
      CRM_RATE_LIMIT_PER_MINUTE: '0',
      CRM_TRUST_PROXY_HOPS: '1',
    });
    expect(c.CRM_CORS_ORIGINS).toEqual(['https://crm.example.com', 'http://localhost:5173']);
    expect(c.CRM_RATE_LIMIT_PER_MINUTE).toBe(0);
    expect(c.CRM_TRUST_PROXY_HOPS).toBe(1);
  });

  it('refuses an origin with a path or a wildcard, a negative limit and too many hops, naming each', () => {
    expect(problems({ CRM_CORS_ORIGINS: 'https://crm.example.com/app' })).toEqual(['CRM_CORS_ORIGINS']);
    expect(problems({ CRM_CORS_ORIGINS: '*' })).toEqual(['CRM_CORS_ORIGINS']);
    expect(problems({ CRM_RATE_LIMIT_PER_MINUTE: '-1' })).toEqual(['CRM_RATE_LIMIT_PER_MINUTE']);
    expect(problems({ CRM_TRUST_PROXY_HOPS: '11' })).toEqual(['CRM_TRUST_PROXY_HOPS']);
  });
});
