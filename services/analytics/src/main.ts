// The analytics service as its own process (distributed mode, or embedded alone).
import './tracing'; // first: see tracing.ts
import 'reflect-metadata';
import { crmRegistry } from '@crm/contracts';
import { loadConfigOrExit } from '@crm/config';
import { createPlatform } from '@crm/platform';
import { AnalyticsConfig, createAnalyticsApp } from './analytics';

async function main(): Promise<void> {
  const config = loadConfigOrExit(AnalyticsConfig);
  const platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'crm-analytics' });
  const app = await createAnalyticsApp(config, platform);
  console.log(`analytics listening on ${await app.listen()}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
