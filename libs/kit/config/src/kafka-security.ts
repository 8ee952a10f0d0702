import fs from 'node:fs';
import { ConfigError } from './load-config';
import type { PlatformConfig } from './platform-config';

/** How a Kafka client authenticates and encrypts, in the shape kafkajs takes (`ssl`, `sasl`). */
export interface KafkaClientSecurity {
  /** `true`: TLS with the system CAs; `{ ca }`: TLS trusting these PEM certificates; absent: plaintext. */
  ssl?: true | { ca: string[] };
  sasl?: { mechanism: 'scram-sha-512' | 'scram-sha-256' | 'plain'; username: string; password: string };
}

type KafkaSecuritySettings = Pick<
  PlatformConfig,
  'CRM_KAFKA_SSL' | 'CRM_KAFKA_CA_FILE' | 'CRM_KAFKA_SASL_MECHANISM' | 'CRM_KAFKA_SASL_USERNAME' | 'CRM_KAFKA_SASL_PASSWORD'
>;

/**
 * The Kafka security settings as client options; reads the CA file. A combination that would
 * connect insecurely or not at all (a CA without TLS, PLAIN without TLS, an unreadable CA file)
 * is a `ConfigError` naming the setting: the process must not start with it.
 */
export function kafkaClientSecurity(config: KafkaSecuritySettings): KafkaClientSecurity {
  const tls = config.CRM_KAFKA_SSL === 'true';
  if (config.CRM_KAFKA_CA_FILE && !tls) {
    throw new ConfigError([{ setting: 'CRM_KAFKA_CA_FILE', message: 'a CA file is only used with CRM_KAFKA_SSL=true' }]);
  }
  if (config.CRM_KAFKA_SASL_MECHANISM === 'plain' && !tls) {
    throw new ConfigError([{ setting: 'CRM_KAFKA_SASL_MECHANISM', message: 'plain sends the password in clear: it needs CRM_KAFKA_SSL=true' }]);
  }
  const security: KafkaClientSecurity = {};
  if (tls) {
    if (config.CRM_KAFKA_CA_FILE) {
      let pem: string;
      try {
        pem = fs.readFileSync(config.CRM_KAFKA_CA_FILE, 'utf8');
      } catch (error) {
        throw new ConfigError([{ setting: 'CRM_KAFKA_CA_FILE', message: `cannot read ${config.CRM_KAFKA_CA_FILE}: ${(error as Error).message}` }]);
      }
      if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
        throw new ConfigError([{ setting: 'CRM_KAFKA_CA_FILE', message: `${config.CRM_KAFKA_CA_FILE} holds no PEM certificate` }]);
      }
      security.ssl = { ca: [pem] };
    } else security.ssl = true;
  }
  if (config.CRM_KAFKA_SASL_MECHANISM && config.CRM_KAFKA_SASL_USERNAME && config.CRM_KAFKA_SASL_PASSWORD) {
    security.sasl = { mechanism: config.CRM_KAFKA_SASL_MECHANISM, username: config.CRM_KAFKA_SASL_USERNAME, password: config.CRM_KAFKA_SASL_PASSWORD };
  }
  return security;
}
