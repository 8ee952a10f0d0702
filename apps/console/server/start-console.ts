import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, settingNames } from '@crm/config';
import { CONSOLE_SERVICES, ConsoleConfig, consoleConfigProblems, upstreamSetting, type ConsoleService } from './console-config';
import { createConsoleServer } from './console-server';

/** The repository's `dist/console`, where `npm run build:console` writes the web app (from the sources or from dist/apps/…). */
export const DEFAULT_STATIC_DIR = path.join(repositoryRoot(__dirname), 'dist', 'console');

function repositoryRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, '..', '..', '..');
  }
}

/** Loads the console's settings from `env` (only the names it knows), then the checks across settings. */
export function loadConsoleConfig(env: Record<string, string | undefined>): ConsoleConfig {
  const known = new Set(settingNames(ConsoleConfig));
  // The services refuse the console's settings and the console takes only its own names from a shared
  // environment: a misspelt console setting would be refused by no one, so it is refused here.
  const unknown = Object.keys(env).filter((name) => (name.startsWith('CRM_CONSOLE_') || name.startsWith('CRM_OIDC_')) && !known.has(name));
  if (unknown.length) throw new ConfigError(unknown.map((setting) => ({ setting, message: 'unknown setting' })));
  const config = loadConfig(ConsoleConfig, Object.fromEntries(Object.entries(env).filter(([name]) => known.has(name))));
  const problems = consoleConfigProblems(config);
  if (problems.length) throw new ConfigError(problems);
  return config;
}

export interface RunningConsole {
  url: string;
  stop(): Promise<void>;
}

/** Starts the console's server on `CRM_HTTP_HOST`:`CRM_CONSOLE_PORT` (or `port`); the upstreams come from the config. */
export async function startConsole(config: ConsoleConfig, port?: number): Promise<RunningConsole> {
  const upstreams = Object.fromEntries(
    CONSOLE_SERVICES.map((name) => {
      const url = config[upstreamSetting(name)];
      if (!url) throw new ConfigError([{ setting: upstreamSetting(name), message: 'required: where the service answers' }]);
      return [name, url.replace(/\/+$/, '')];
    }),
  ) as Record<ConsoleService, string>;
  const app = createConsoleServer({
    config,
    upstreams,
    staticDir: config.CRM_CONSOLE_STATIC_DIR ? path.resolve(config.CRM_CONSOLE_STATIC_DIR) : DEFAULT_STATIC_DIR,
  });
  const server = await new Promise<import('node:http').Server>((resolve, reject) => {
    const s = app.listen(port ?? config.CRM_CONSOLE_PORT, config.CRM_HTTP_HOST, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  const address = server.address() as AddressInfo;
  const host = config.CRM_HTTP_HOST === '0.0.0.0' || config.CRM_HTTP_HOST === '::' ? 'localhost' : config.CRM_HTTP_HOST;
  return {
    url: `http://${host}:${address.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Server-sent event streams stay open: close them, their pages reconnect elsewhere.
        server.closeAllConnections();
      }),
  };
}
