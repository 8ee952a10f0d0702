// Entry point for the embedded host (npm start): the service on the shared embedded platform.
import { loadConfig } from '@crm/config';
import type { Platform } from '@crm/platform';
import { createPartnerPortalApp, PartnerPortalConfig } from './partner-portal';

export const service = {
  name: 'partner-portal',
  async start(platform: Platform, env: Record<string, string | undefined>): Promise<() => Promise<void>> {
    const config = loadConfig(PartnerPortalConfig, env);
    const app = await createPartnerPortalApp(config, platform, { embedded: true });
    console.log(`partner-portal: ${await app.listen()} (OpenAPI at /openapi.json, UI at /docs)`);
    return () => app.close();
  },
};
