/**
 * The relay process (distributed mode): follows the event store's global order and publishes the
 * integration events to Kafka, moving its durable checkpoint only after Kafka acknowledged them.
 * Run exactly one per event store:  CRM_MODE=distributed ... npm run relay
 */
import 'reflect-metadata';
import { loadConfigOrExit, PlatformConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { createPlatform } from '@crm/platform';
import { Relay } from '@crm/relay';

async function main(): Promise<void> {
  const config = loadConfigOrExit(PlatformConfig);
  if (config.CRM_MODE !== 'distributed') {
    console.error('CRM_MODE: the relay runs in distributed mode (embedded read models follow the store directly)');
    process.exit(78);
  }
  const registry = crmRegistry();
  const platform = await createPlatform(config, { registry, clientId: 'crm-relay' });
  const relay = new Relay(platform.eventStore, platform.bus, platform.checkpoints, registry, {
    onRejected: (event, reason) => console.error(`relay: event ${event.id} (${event.type}) breaks its contract and was not published: ${reason}`),
    onError: (error) => {
      console.error('relay failed:', error);
      process.exit(1);
    },
  });
  relay.start();
  console.log('relay running');
  const shutdown = async () => {
    await relay.stop();
    await platform.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
