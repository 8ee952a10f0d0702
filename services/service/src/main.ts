// The service (call centre) service as its own process (distributed mode, or embedded alone).
import './tracing'; // first: see tracing.ts
import 'reflect-metadata';
import { crmRegistry } from '@crm/contracts';
import { loadConfigOrExit } from '@crm/config';
import { createPlatform } from '@crm/platform';
import { createCustomerServiceApp, CustomerServiceConfig } from './service';

async function main(): Promise<void> {
  const config = loadConfigOrExit(CustomerServiceConfig);
  const platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'crm-service' });
  const app = await createCustomerServiceApp(config, platform);
  console.log(`service listening on ${await app.listen()}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
