import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kafkaClientSecurity } from './kafka-security';
import { ConfigError, loadConfig } from './load-config';
import { PlatformConfig } from './platform-config';

const distributed = { CRM_MODE: 'distributed', CRM_DATABASE_URL: 'postgres://crm@db/crm', CRM_KAFKA_BROKERS: 'kafka:9093' };

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => p.setting).sort();
    throw e;
  }
  return [];
}

describe('Kafka security settings', () => {
  let dir: string;
  let ca: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-kafka-ca-'));
    ca = path.join(dir, 'ca.crt');
    fs.writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('default to plaintext without authentication (local, embedded)', () => {
    const config = loadConfig(PlatformConfig, distributed);
    expect(config.CRM_KAFKA_SSL).toBe('false');
    expect(kafkaClientSecurity(config)).toEqual({});
  });

  it('give TLS with the CA file and SCRAM-SHA-512 credentials, as Strimzi issues them', () => {
    const config = loadConfig(PlatformConfig, {
      ...distributed,
      CRM_KAFKA_SSL: 'true',
      CRM_KAFKA_CA_FILE: ca,
      CRM_KAFKA_SASL_MECHANISM: 'scram-sha-512',
      CRM_KAFKA_SASL_USERNAME: 'crm-sales',
      CRM_KAFKA_SASL_PASSWORD: 'generated-by-the-user-operator',
    });
    expect(kafkaClientSecurity(config)).toEqual({
      ssl: { ca: ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'] },
      sasl: { mechanism: 'scram-sha-512', username: 'crm-sales', password: 'generated-by-the-user-operator' },
    });
    expect(kafkaClientSecurity(loadConfig(PlatformConfig, { ...distributed, CRM_KAFKA_SSL: 'true' }))).toEqual({ ssl: true });
  });

  it('refuse a mechanism without credentials, an unknown mechanism and a non-boolean TLS switch, naming each', () => {
    expect(problemsOf(() => loadConfig(PlatformConfig, { ...distributed, CRM_KAFKA_SASL_MECHANISM: 'scram-sha-512' }))).toEqual([
      'CRM_KAFKA_SASL_PASSWORD',
      'CRM_KAFKA_SASL_USERNAME',
    ]);
    expect(
      problemsOf(() =>
        loadConfig(PlatformConfig, { ...distributed, CRM_KAFKA_SASL_MECHANISM: 'gssapi', CRM_KAFKA_SASL_USERNAME: 'u', CRM_KAFKA_SASL_PASSWORD: 'p' }),
      ),
    ).toEqual(['CRM_KAFKA_SASL_MECHANISM']);
    expect(problemsOf(() => loadConfig(PlatformConfig, { ...distributed, CRM_KAFKA_SSL: 'yes' }))).toEqual(['CRM_KAFKA_SSL']);
  });

  it('refuse combinations that would connect insecurely or not at all', () => {
    const base = loadConfig(PlatformConfig, distributed);
    expect(problemsOf(() => kafkaClientSecurity({ ...base, CRM_KAFKA_CA_FILE: ca }))).toEqual(['CRM_KAFKA_CA_FILE']);
    expect(
      problemsOf(() => kafkaClientSecurity({ ...base, CRM_KAFKA_SASL_MECHANISM: 'plain', CRM_KAFKA_SASL_USERNAME: 'u', CRM_KAFKA_SASL_PASSWORD: 'p' })),
    ).toEqual(['CRM_KAFKA_SASL_MECHANISM']);
    expect(problemsOf(() => kafkaClientSecurity({ ...base, CRM_KAFKA_SSL: 'true', CRM_KAFKA_CA_FILE: path.join(dir, 'missing.crt') }))).toEqual([
      'CRM_KAFKA_CA_FILE',
    ]);
    const notPem = path.join(dir, 'not.pem');
    fs.writeFileSync(notPem, 'hello');
    expect(problemsOf(() => kafkaClientSecurity({ ...base, CRM_KAFKA_SSL: 'true', CRM_KAFKA_CA_FILE: notPem }))).toEqual(['CRM_KAFKA_CA_FILE']);
  });
});
