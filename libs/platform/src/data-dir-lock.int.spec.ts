import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crmRegistry } from '@crm/contracts';
import { loadConfig, PlatformConfig } from '@crm/config';
import { DataDirLock, DataDirLockedError } from './data-dir-lock';
import { createPlatform } from './platform';

// Two processes on one embedded data folder lost writes (PGlite is one session per folder): the
// second one must be refused, naming the holder, and a lock left by a killed process taken over.
describe('exclusive lock on the embedded data folder', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-lock-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('refuses a folder held by another live process, naming it', () => {
    const dir = tmp();
    const other = spawn('sleep', ['30']);
    try {
      fs.writeFileSync(path.join(dir, 'crm.lock'), JSON.stringify({ pid: other.pid, command: 'npm start', since: '2026-01-01T00:00:00.000Z' }));
      expect(() => DataDirLock.acquire(dir)).toThrow(DataDirLockedError);
      expect(() => DataDirLock.acquire(dir)).toThrow(new RegExp(`in use by process ${other.pid} \\(npm start`));
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('takes over a lock whose process is gone (killed with -9), and releases it on close', () => {
    const dir = tmp();
    const dead = spawnSync('true');
    fs.writeFileSync(path.join(dir, 'crm.lock'), JSON.stringify({ pid: dead.pid, command: 'npm start', since: '2026-01-01T00:00:00.000Z' }));
    const lock = DataDirLock.acquire(dir, 'test');
    expect(JSON.parse(fs.readFileSync(lock.file, 'utf8'))).toMatchObject({ pid: process.pid, command: 'test' });
    lock.release();
    expect(fs.existsSync(lock.file)).toBe(false);
  });

  it('a second embedded platform on the same folder is refused while the first runs, and allowed after it closed', async () => {
    const dir = tmp();
    const config = loadConfig(PlatformConfig, { CRM_MODE: 'embedded', CRM_DATA_DIR: dir });
    const first = await createPlatform(config, { registry: crmRegistry(), clientId: 'first' });
    // The same process cannot pretend to be another one, so the second opener is a real process.
    const script = `require('./tools/ts-register'); require('reflect-metadata');
      const { createPlatform } = require('./libs/platform/src'); const { loadConfig, PlatformConfig } = require('./libs/kit/config/src'); const { crmRegistry } = require('./libs/ports/contracts/src');
      createPlatform(loadConfig(PlatformConfig, { CRM_MODE: 'embedded', CRM_DATA_DIR: ${JSON.stringify(dir)} }), { registry: crmRegistry(), clientId: 'second' })
        .then(async (p) => { await p.close(); console.log('opened'); }, (e) => { console.log(e.name + ': ' + e.message); process.exit(3); });`;
    const root = path.resolve(__dirname, '../../..');
    const refused = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(refused.status).toBe(3);
    expect(refused.stdout).toContain(`DataDirLockedError: the embedded data folder ${path.resolve(dir)} is in use by process ${process.pid}`);
    await first.close();
    const allowed = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(allowed.stdout).toContain('opened');
    expect(allowed.status).toBe(0);
  });
});
