// The sales service as its own process (distributed mode, or embedded alone).
import './tracing'; // first: see tracing.ts
import 'reflect-metadata';
import { crmRegistry } from '@crm/contracts';
import { loadConfigOrExit } from '@crm/config';
import { createPlatform } from '@crm/platform';
import { createSalesApp, SalesConfig } from './sales';

async function main(): Promise<void> {
  const config = loadConfigOrExit(SalesConfig);
  const platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'crm-sales' });
  const app = await createSalesApp(config, platform);
  console.log(`sales listening on ${await app.listen()}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
