// Entry point for the embedded host (npm start): the service on the shared embedded platform.
import { loadConfig } from '@crm/config';
import type { Platform } from '@crm/platform';
import { AnalyticsConfig, createAnalyticsApp } from './analytics';

export const service = {
  name: 'analytics',
  async start(platform: Platform, env: Record<string, string | undefined>): Promise<() => Promise<void>> {
    const config = loadConfig(AnalyticsConfig, env);
    const app = await createAnalyticsApp(config, platform, { embedded: true });
    console.log(`analytics: ${await app.listen()} (OpenAPI at /openapi.json, UI at /docs)`);
    return () => app.close();
  },
};
