/**
 * The embedded CRM: one process, no external servers. It opens the PGlite database under
 * CRM_DATA_DIR (default ./data) and starts every service found under services/ on its own port, all
 * sharing that one database. Read models follow the event store directly here (see
 * docs/architecture.md), so no relay runs: the in-process bus keeps its log in memory, and feeding
 * it every event with no consumer would only grow the process. Each service is loaded by
 * its entry point's path, as a process manager would, so no service imports another.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfigOrExit, PlatformConfig, shutdownDelayMs } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { createPlatform, type Platform } from '@crm/platform';
import { DataDirLockedError } from '@crm/platform';
import { exitGracefullyOnSignals } from '@crm/service-kit';
import { embeddedHostEnv, EmbeddedHostConfig, PORT_SETTINGS } from './embedded-host-config';

export interface EmbeddedService {
  name: string;
  /** Starts the service on the shared platform; resolves to a stop function. */
  start(platform: Platform, env: Record<string, string | undefined>): Promise<() => Promise<void>>;
}

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..');
  const env = { ...process.env, CRM_MODE: process.env.CRM_MODE ?? 'embedded' };
  const hostConfig = loadConfigOrExit(EmbeddedHostConfig, embeddedHostEnv(env));
  // The web console (apps/console), loaded by its path like the services. Its settings are checked
  // before anything starts: a bad one stops the host naming it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const webConsoleModule = require(path.join(root, 'apps', 'console', 'server', 'start-console.ts')) as typeof import('../apps/console/server/start-console');
  const { loadConsoleConfig, startConsole } = webConsoleModule;
  const consoleEnv: Record<string, string | undefined> = {
    ...env,
    CRM_DATA_DIR: hostConfig.CRM_DATA_DIR,
    CRM_CONSOLE_SALES_URL: `http://127.0.0.1:${hostConfig.CRM_SALES_PORT}`,
    CRM_CONSOLE_SERVICE_URL: `http://127.0.0.1:${hostConfig.CRM_SERVICE_PORT}`,
    CRM_CONSOLE_MARKETING_URL: `http://127.0.0.1:${hostConfig.CRM_MARKETING_PORT}`,
    CRM_CONSOLE_PARTNER_PORTAL_URL: `http://127.0.0.1:${hostConfig.CRM_PARTNER_PORTAL_PORT}`,
    CRM_CONSOLE_ANALYTICS_URL: `http://127.0.0.1:${hostConfig.CRM_ANALYTICS_PORT}`,
  };
  let consoleConfig: ReturnType<typeof loadConsoleConfig>;
  try {
    consoleConfig = loadConsoleConfig(consoleEnv);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(e.message);
    process.exit(78);
  }
  const config: PlatformConfig = hostConfig;
  if (config.CRM_MODE !== 'embedded') {
    console.error('npm start runs the embedded CRM; for distributed mode start each service with its own main.ts');
    process.exit(78);
  }
  const services: EmbeddedService[] = [];
  const servicesDir = path.join(root, 'services');
  for (const name of fs.existsSync(servicesDir) ? fs.readdirSync(servicesDir).sort() : []) {
    const entry = path.join(servicesDir, name, 'src', 'embedded.ts');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (fs.existsSync(entry)) services.push((require(entry) as { service: EmbeddedService }).service);
  }
  const registry = crmRegistry();
  const platform = await createPlatform(config, { registry, clientId: 'crm-embedded' });
  const stops: (() => Promise<void>)[] = [];
  // Each service sees the shared settings plus its own port as CRM_HTTP_PORT.
  const shared: Record<string, string | undefined> = { ...embeddedHostEnv(env), CRM_MODE: 'embedded', CRM_DATA_DIR: config.CRM_DATA_DIR };
  for (const name of PORT_SETTINGS) delete shared[name];
  for (const s of services) {
    const portSetting = `CRM_${s.name.toUpperCase().replace(/-/g, '_')}_PORT` as (typeof PORT_SETTINGS)[number];
    stops.push(await s.start(platform, { ...shared, CRM_HTTP_PORT: String(hostConfig[portSetting]) }));
  }
  const webConsole = await startConsole(consoleConfig);
  stops.unshift(() => webConsole.stop());
  console.log(`CRM (embedded) running; data in ${path.resolve(config.CRM_DATA_DIR)}; services: ${services.map((s) => s.name).join(', ') || 'none yet'}`);
  console.log(`Console: ${webConsole.url}/ (sign in there; the APIs are under ${webConsole.url}/api/<service>/)`);

  // Every service at once: all turn unready together, then each drains its requests in flight
  // (CRM_SHUTDOWN_TIMEOUT_MS at most) and stops its consumers and pollers; the shared platform last.
  exitGracefullyOnSignals({
    delayMs: shutdownDelayMs(config),
    close: async () => {
      await Promise.all(stops.map((stop) => stop().catch((e: unknown) => console.error(e))));
      await platform.close();
    },
    log: (message) => console.log(`CRM (embedded): ${message}`),
  });
}

main().catch((e: unknown) => {
  if (e instanceof DataDirLockedError) {
    console.error(`npm start: ${e.message}`);
    process.exit(75);
  }
  console.error(e);
  process.exit(1);
});
