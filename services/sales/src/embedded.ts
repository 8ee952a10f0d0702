// Entry point for the embedded host (npm start): the service on the shared embedded platform.
import { loadConfig } from '@crm/config';
import type { Platform } from '@crm/platform';
import { createSalesApp, SalesConfig } from './sales';

export const service = {
  name: 'sales',
  async start(platform: Platform, env: Record<string, string | undefined>): Promise<() => Promise<void>> {
    const config = loadConfig(SalesConfig, env);
    const app = await createSalesApp(config, platform, { embedded: true });
    console.log(`sales: ${await app.listen()} (OpenAPI at /openapi.json, UI at /docs)`);
    return () => app.close();
  },
};
