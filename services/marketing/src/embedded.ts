// Entry point for the embedded host (npm start): the service on the shared embedded platform.
import { loadConfig } from '@crm/config';
import type { Platform } from '@crm/platform';
import { createMarketingApp, MarketingConfig } from './marketing';

export const service = {
  name: 'marketing',
  async start(platform: Platform, env: Record<string, string | undefined>): Promise<() => Promise<void>> {
    const config = loadConfig(MarketingConfig, env);
    const app = await createMarketingApp(config, platform, { embedded: true });
    console.log(`marketing: ${await app.listen()} (OpenAPI at /openapi.json, UI at /docs)`);
    return () => app.close();
  },
};
