/**
 * Builds each service's OpenAPI document exactly as the service serves it at `/openapi.json`, without
 * listening: every app is created on one embedded platform (PGlite in a temp dir) and asked for its
 * document (`ServiceApp.openApiDocument()`), then closed. Services are loaded by their entry module's
 * path, as the embedded host does, so the tools project imports no service.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';
import { loadConfig, PlatformConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { createPlatform, type Platform } from '@crm/platform';
import type { ServiceApp, ServiceConfig } from '@crm/service-kit';

const root = path.resolve(__dirname, '..', '..');

/** Each service's module, its app factory and its config class (the names its `embedded.ts` uses). */
export const SERVICES = {
  sales: { module: 'services/sales/src/sales.ts', create: 'createSalesApp', config: 'SalesConfig' },
  service: { module: 'services/service/src/service.ts', create: 'createCustomerServiceApp', config: 'CustomerServiceConfig' },
  marketing: { module: 'services/marketing/src/marketing.ts', create: 'createMarketingApp', config: 'MarketingConfig' },
  'partner-portal': { module: 'services/partner-portal/src/partner-portal.ts', create: 'createPartnerPortalApp', config: 'PartnerPortalConfig' },
  analytics: { module: 'services/analytics/src/analytics.ts', create: 'createAnalyticsApp', config: 'AnalyticsConfig' },
} as const;
export type ServiceName = keyof typeof SERVICES;
export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

type CreateApp = (config: ServiceConfig, platform: Platform, hosting: { embedded: boolean }) => Promise<ServiceApp>;

/** The documents of `names` (default: every service), by service name. */
export async function buildServiceDocuments(names: readonly ServiceName[] = SERVICE_NAMES): Promise<Map<ServiceName, OpenAPIObject>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-openapi-'));
  const documents = new Map<ServiceName, OpenAPIObject>();
  const platform = await createPlatform(loadConfig(PlatformConfig, { CRM_DATA_DIR: dataDir, CRM_LOG_LEVEL: 'error' }), {
    registry: crmRegistry(),
    clientId: 'openapi',
  });
  try {
    for (const name of names) {
      const { create, config } = loadServiceModule(name);
      const app = await create(loadConfig(config, { CRM_DATA_DIR: dataDir, CRM_LOG_LEVEL: 'error' }), platform, { embedded: true });
      try {
        // A deep copy: the app keeps its own, later callers may change theirs.
        documents.set(name, JSON.parse(JSON.stringify(app.openApiDocument())) as OpenAPIObject);
      } finally {
        await app.close();
      }
    }
  } finally {
    await platform.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return documents;
}

function loadServiceModule(name: ServiceName): { create: CreateApp; config: new () => ServiceConfig } {
  const entry = SERVICES[name];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(path.join(root, entry.module)) as Record<string, unknown>;
  return { create: loaded[entry.create] as CreateApp, config: loaded[entry.config] as new () => ServiceConfig };
}

/** A document as committed and linted: JSON, two-space indented, with a final newline. */
export function documentText(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
