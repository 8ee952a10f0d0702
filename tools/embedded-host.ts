/**
 * The embedded CRM: one process, no external servers. It opens the PGlite database under
 * CRM_DATA_DIR (default ./data), runs the relay into the in-process bus, and starts every service
 * found under services/ on its own port, all sharing that one database. Each service is loaded by
 * its entry point's path, as a process manager would, so no service imports another.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfigOrExit, PlatformConfig } from '@crm/config';
import { createPlatform, type Platform } from '@crm/platform';
import { Relay } from '@crm/relay';
import { IntegrationEventRegistry } from '@crm/bus';

export interface EmbeddedService {
  name: string;
  /** Starts the service on the shared platform; resolves to a stop function. */
  start(platform: Platform, env: Record<string, string | undefined>): Promise<() => Promise<void>>;
  registry?: IntegrationEventRegistry;
}

async function main(): Promise<void> {
  const config = loadConfigOrExit(PlatformConfig, { ...process.env, CRM_MODE: process.env.CRM_MODE ?? 'embedded' });
  if (config.CRM_MODE !== 'embedded') {
    console.error('npm start runs the embedded CRM; for distributed mode start each service with its own main.ts');
    process.exit(78);
  }
  const root = path.resolve(__dirname, '..');
  const services: EmbeddedService[] = [];
  const servicesDir = path.join(root, 'services');
  for (const name of fs.existsSync(servicesDir) ? fs.readdirSync(servicesDir).sort() : []) {
    const entry = path.join(servicesDir, name, 'src', 'embedded.ts');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (fs.existsSync(entry)) services.push((require(entry) as { service: EmbeddedService }).service);
  }
  const registry = new IntegrationEventRegistry();
  const platform = await createPlatform(config, { registry, clientId: 'crm-embedded' });
  const relay = new Relay(platform.eventStore, platform.bus, platform.checkpoints, registry, {
    onError: (e) => console.error('relay stopped:', e),
  });
  relay.start();
  const stops: (() => Promise<void>)[] = [];
  for (const s of services) stops.push(await s.start(platform, process.env));
  console.log(`CRM (embedded) running; data in ${path.resolve(config.CRM_DATA_DIR)}; services: ${services.map((s) => s.name).join(', ') || 'none yet'}`);

  const shutdown = async () => {
    for (const stop of stops.reverse()) await stop().catch((e: unknown) => console.error(e));
    await relay.stop();
    await platform.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
