import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { IntegrationEventRegistry } from '@crm/bus';
import { loadConfig } from '@crm/config';
import { createPlatform, type Platform } from '@crm/platform';
import type { ServiceApp } from '../app/create-service-app';
import type { ServiceConfig } from '../config/service-config';

export interface EmbeddedServiceUnderTest {
  dataDir: string;
  platform: Platform;
  app: ServiceApp;
  /** Base URL of the listening app. */
  base: string;
  stop(): Promise<void>;
}

/**
 * A service on its own embedded platform (PGlite on disk in a temp dir), listening on a free port;
 * `env` adds settings (the data directory is always the temp dir).
 */
export async function startEmbeddedService<C extends ServiceConfig>(
  name: string,
  configClass: new () => C,
  create: (config: C, platform: Platform, hosting: { embedded: boolean }) => Promise<ServiceApp>,
  registry: IntegrationEventRegistry,
  env: Record<string, string> = {},
): Promise<EmbeddedServiceUnderTest> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `crm-${name}-`));
  const config = loadConfig(configClass, { ...env, CRM_DATA_DIR: dataDir });
  const platform = await createPlatform(config, { registry, clientId: 'test' });
  const app = await create(config, platform, { embedded: true });
  const base = await app.listen(0);
  return {
    dataDir,
    platform,
    app,
    base,
    async stop() {
      await app.close();
      await platform.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface HttpReply {
  status: number;
  type: string;
  etag: string | null;
  location: string | null;
  body: Record<string, unknown>;
}

/** JSON over HTTP with a bearer token, for service specs. */
export function httpCaller(base: () => string, token: () => string) {
  return async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}, bearer = token()): Promise<HttpReply> => {
    const r = await fetch(`${base()}${url}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return {
      status: r.status,
      type: r.headers.get('content-type') ?? '',
      etag: r.headers.get('etag'),
      location: r.headers.get('location'),
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  };
}
