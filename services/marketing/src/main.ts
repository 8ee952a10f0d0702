// The marketing service as its own process (distributed mode, or embedded alone).
import './tracing'; // first: see tracing.ts
import 'reflect-metadata';
import { crmRegistry } from '@crm/contracts';
import { loadConfigOrExit } from '@crm/config';
import { createPlatform } from '@crm/platform';
import { createMarketingApp, MarketingConfig } from './marketing';

async function main(): Promise<void> {
  const config = loadConfigOrExit(MarketingConfig);
  const platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'crm-marketing' });
  const app = await createMarketingApp(config, platform);
  console.log(`marketing listening on ${await app.listen()}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
