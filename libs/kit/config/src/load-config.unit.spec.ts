import { ConfigError, loadConfig, settingNames } from './load-config';
import { PlatformConfig } from './platform-config';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(PlatformConfig, env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => p.setting);
    throw e;
  }
  return [];
}

describe('loadConfig(PlatformConfig)', () => {
  it('defaults to embedded mode with data under ./data', () => {
    const c = loadConfig(PlatformConfig, {});
    expect(c.CRM_MODE).toBe('embedded');
    expect(c.CRM_DATA_DIR).toBe('./data');
    expect(c.CRM_KAFKA_PARTITIONS).toBe(6);
  });

  it('distributed mode requires the database URL and the Kafka brokers, naming each', () => {
    expect(problems({ CRM_MODE: 'distributed' }).sort()).toEqual(['CRM_DATABASE_URL', 'CRM_KAFKA_BROKERS']);
  });

  it('parses a valid distributed config, brokers as a list and numbers as numbers', () => {
    const c = loadConfig(PlatformConfig, {
      CRM_MODE: 'distributed',
      CRM_DATABASE_URL: 'postgres://crm:crm@db:5432/crm',
      CRM_KAFKA_BROKERS: 'k1:9092, k2:9092',
      CRM_KAFKA_PARTITIONS: '12',
    });
    expect(c.CRM_KAFKA_BROKERS).toEqual(['k1:9092', 'k2:9092']);
    expect(c.CRM_KAFKA_PARTITIONS).toBe(12);
  });

  it('names a malformed value', () => {
    expect(problems({ CRM_MODE: 'cloud' })).toEqual(['CRM_MODE']);
    expect(problems({ CRM_KAFKA_PARTITIONS: 'many' })).toEqual(['CRM_KAFKA_PARTITIONS']);
    expect(problems({ CRM_MODE: 'distributed', CRM_DATABASE_URL: 'mysql://x', CRM_KAFKA_BROKERS: 'nohostport' }).sort()).toEqual([
      'CRM_DATABASE_URL',
      'CRM_KAFKA_BROKERS',
    ]);
  });

  it('picks the Kafka client by CRM_KAFKA_CLIENT and names a value that is none of them', () => {
    expect(loadConfig(PlatformConfig, {}).CRM_KAFKA_CLIENT).toBe('platformatic');
    expect(loadConfig(PlatformConfig, { CRM_KAFKA_CLIENT: 'kafkajs' }).CRM_KAFKA_CLIENT).toBe('kafkajs');
    expect(problems({ CRM_KAFKA_CLIENT: 'librdkafka' })).toEqual(['CRM_KAFKA_CLIENT']);
  });

  it('eventstoredb needs its connection string', () => {
    expect(problems({ CRM_MODE: 'distributed', CRM_EVENT_STORE: 'eventstoredb', CRM_DATABASE_URL: 'postgres://x/y', CRM_KAFKA_BROKERS: 'k:1' })).toEqual([
      'CRM_ESDB_CONNECTION_STRING',
    ]);
  });

  it('refuses an unknown CRM_ setting (a typo must not fall back to a default)', () => {
    expect(problems({ CRM_MOED: 'distributed' })).toEqual(['CRM_MOED']);
  });

  it('lists the settings the class declares', () => {
    expect(settingNames(PlatformConfig)).toContain('CRM_KAFKA_BROKERS');
    expect(settingNames(PlatformConfig)).toContain('CRM_MODE');
  });
});
