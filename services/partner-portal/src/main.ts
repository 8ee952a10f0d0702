// The partner portal as its own process (distributed mode, or embedded alone).
import './tracing'; // first: see tracing.ts
import 'reflect-metadata';
import { crmRegistry } from '@crm/contracts';
import { loadConfigOrExit } from '@crm/config';
import { createPlatform } from '@crm/platform';
import { createPartnerPortalApp, PartnerPortalConfig } from './partner-portal';

async function main(): Promise<void> {
  const config = loadConfigOrExit(PartnerPortalConfig);
  const platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'crm-partner-portal' });
  const app = await createPartnerPortalApp(config, platform);
  console.log(`partner-portal listening on ${await app.listen()}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
