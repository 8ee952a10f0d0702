/**
 * The CRM the browser suite drives: `npm start` (the embedded CRM and its console, one process) on
 * free ports, in a new data folder loaded first with `npm run demo-data` (the event-level bulk) and
 * then, once it runs, with `npm run demo-data -- --api` (the departments' data, through the APIs).
 * Started once by the suite's global setup; specs read where it runs from `crmUnderTest()`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..', '..');
// One state file per checkout: suites of two checkouts on one machine never share a CRM.
const STATE = path.join(os.tmpdir(), `crm-browser-suite-${createHash('sha256').update(root).digest('hex').slice(0, 12)}.json`);

export interface CrmUnderTest {
  /** The console, e.g. http://127.0.0.1:41234 */
  url: string;
  dataDir: string;
  pid: number;
  /** What the API seed made (ids the specs use), see tools/demo-data/api. */
  seed: Record<string, unknown>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** A running `npm start` (the embedded CRM and its console) on free ports, in its own data folder. */
export interface StartedCrm {
  url: string;
  dataDir: string;
  child: ChildProcess;
  env: Record<string, string | undefined>;
  stop(): Promise<void>;
}

/**
 * Starts `npm start` on free ports in a new data folder, with `extraEnv` (e.g. an identity
 * provider's settings); with `demoData`, loads the event-level demo data first.
 */
export async function startCrm(options: { extraEnv?: Record<string, string>; demoData?: boolean; log?: (line: string) => void } = {}): Promise<StartedCrm> {
  const log = options.log ?? (() => undefined);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-browser-'));
  const names = ['CRM_CONSOLE_PORT', 'CRM_SALES_PORT', 'CRM_SERVICE_PORT', 'CRM_MARKETING_PORT', 'CRM_PARTNER_PORTAL_PORT', 'CRM_ANALYTICS_PORT'];
  const ports: Record<string, string> = {};
  for (const name of names) ports[name] = String(await freePort());
  const env: Record<string, string | undefined> = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CRM_'))),
    ...ports,
    CRM_DATA_DIR: dataDir,
    CRM_HTTP_HOST: '127.0.0.1',
    CRM_LOG_LEVEL: 'warn',
    NODE_OPTIONS: undefined,
    ...options.extraEnv,
  };
  if (options.demoData) {
    const bulk = spawnSync(process.execPath, ['tools/run-ts.js', 'tools/demo-data.ts', '--customers', process.env['CRM_BROWSER_CUSTOMERS'] ?? '60'], {
      cwd: root,
      env,
      encoding: 'utf8',
    });
    if (bulk.status !== 0) throw new Error(`demo-data failed: ${bulk.stderr}`);
    log(bulk.stdout.trim());
  }

  const child = spawn(process.execPath, ['tools/start.js'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    // Generous: on a loaded 2-core machine the five services take a while to start (CRM_BROWSER_START_TIMEOUT_S).
    const startTimeout = Number(process.env['CRM_BROWSER_START_TIMEOUT_S'] ?? 300);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`npm start did not print the console's address in ${startTimeout} s:\n${output}`));
    }, startTimeout * 1000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /Console: (http:\/\/[^/\s]+)\//.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!.replace('localhost', '127.0.0.1'));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`npm start exited ${code}:\n${output}`)));
  });
  child.stdout!.resume();
  child.stderr!.resume();
  return {
    url,
    dataDir,
    child,
    env,
    stop: async () => {
      await stopProcess(child.pid!, dataDir);
      child.stdout!.destroy();
      child.stderr!.destroy();
    },
  };
}

export async function startCrmUnderTest(log: (line: string) => void = () => undefined): Promise<CrmUnderTest> {
  const crm = await startCrm({ demoData: true, log });
  const seeded = spawnSync(process.execPath, ['tools/run-ts.js', 'tools/demo-data.ts', '--api', crm.url, '--json'], {
    cwd: root,
    env: crm.env,
    encoding: 'utf8',
  });
  if (seeded.status !== 0) {
    crm.child.kill('SIGKILL');
    throw new Error(`demo-data --api failed: ${seeded.stderr}\n${seeded.stdout}`);
  }
  log(seeded.stderr.trim());
  const seed = JSON.parse(seeded.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
  const state: CrmUnderTest = { url: crm.url, dataDir: crm.dataDir, pid: crm.child.pid!, seed };
  fs.writeFileSync(STATE, JSON.stringify(state));
  crm.child.unref();
  return state;
}

async function stopProcess(pid: number, dataDir: string): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100; i++) {
      process.kill(pid, 0);
      await new Promise((r) => setTimeout(r, 100));
    }
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
}

export function crmUnderTest(): CrmUnderTest {
  return JSON.parse(fs.readFileSync(STATE, 'utf8')) as CrmUnderTest;
}

export async function stopCrmUnderTest(): Promise<void> {
  if (!fs.existsSync(STATE)) return;
  const { pid, dataDir } = crmUnderTest();
  await stopProcess(pid, dataDir);
  fs.rmSync(STATE, { force: true });
}
