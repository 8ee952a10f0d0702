// The web console's server as its own process (distributed mode): `node dist/apps/console/server/main.js`.
import 'reflect-metadata';
import { ConfigError } from '@crm/config';
import { exitGracefullyOnSignals } from '@crm/service-kit';
import { loadConsoleConfig, startConsole } from './start-console';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConsoleConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(78);
    }
    throw e;
  }
  const running = await startConsole(config);
  console.log(`console listening on ${running.url}`);
  exitGracefullyOnSignals({ delayMs: 0, close: () => running.stop(), log: (message) => console.log(`console: ${message}`) });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
