// Entry point for the embedded host (npm start): the service on the shared embedded platform.
import { loadConfig } from '@crm/config';
import type { Platform } from '@crm/platform';
import { createCustomerServiceApp, CustomerServiceConfig } from './service';

export const service = {
  name: 'service',
  async start(platform: Platform, env: Record<string, string | undefined>): Promise<() => Promise<void>> {
    const config = loadConfig(CustomerServiceConfig, env);
    const app = await createCustomerServiceApp(config, platform, { embedded: true });
    console.log(`service: ${await app.listen()} (OpenAPI at /openapi.json, UI at /docs)`);
    return () => app.close();
  },
};
