// A relay process for the fault test: distributed platform from CRM_* settings, runs until killed.
import { loadConfigOrExit, PlatformConfig } from '@crm/config';
import { createPlatform } from '@crm/platform';
import { Relay } from '@crm/relay';
import { testRegistry } from '../customer-activity.projection';

async function main(): Promise<void> {
  const config = loadConfigOrExit(PlatformConfig);
  const registry = testRegistry();
  const platform = await createPlatform(config, { registry, clientId: 'fault-relay' });
  const relay = new Relay(platform.eventStore, platform.bus, platform.checkpoints, registry, {
    name: process.env.FAULT_RELAY_NAME ?? 'relay',
    batchSize: 50, // small pages, so a kill lands between publish and checkpoint often
    parking: { sql: platform.sql, schema: config.CRM_PLATFORM_SCHEMA },
    onRetry: (e, attempt) => console.error(`relay: attempt ${attempt} failed; retrying`, e),
  });
  await relay.migrate();
  relay.start();
  console.log('relay ready');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
