import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '@crm/config';
import { authSettings, serviceConfigClass } from '../config/service-config';
import { TokenVerifier } from '../auth/token-verifier';
import { main } from './mint-token';

const root = path.resolve(__dirname, '../../../../..');

describe('mint-token CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'crm-mint-'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function verify(token: string, env: Record<string, string> = {}) {
    const verifier = await TokenVerifier.create(authSettings(loadConfig(serviceConfigClass(3101), { CRM_DATA_DIR: dir, ...env })), dir);
    return verifier.verify(token);
  }

  it('prints a staff token the services accept (run as a process)', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['tools/run-ts.js', 'libs/kit/service-kit/src/cli/mint-token.ts', '--sub', 'alice', '--dept', 'sales', '--roles', 'agent,manager', '--ttl', '8h'],
      { cwd: root, env: { PATH: process.env.PATH, CRM_DATA_DIR: dir } },
    );
    expect(stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    await expect(verify(stdout.trim())).resolves.toEqual({ kind: 'staff', subject: 'alice', department: 'sales', roles: ['agent', 'manager'] });
  });

  it('mints partner tokens and follows the issuer/audience settings', async () => {
    const env = { CRM_DATA_DIR: dir, CRM_JWT_ISSUER: 'me', CRM_JWT_AUDIENCE: 'you', CRM_HTTP_PORT: '1234' };
    const token = await main(['--sub', 'pat', '--partner', 'acme'], env);
    await expect(verify(token, { CRM_JWT_ISSUER: 'me', CRM_JWT_AUDIENCE: 'you' })).resolves.toEqual({
      kind: 'partner',
      subject: 'pat',
      partnerId: 'acme',
      roles: [],
    });
    await expect(verify(token)).rejects.toThrow(/iss/);
  });

  it('says on stderr which key it signed with, and warns when it had to create one', async () => {
    const fresh = await fs.mkdtemp(path.join(os.tmpdir(), 'crm-mint-fresh-'));
    try {
      const first: string[] = [];
      await main(['--sub', 'a', '--dept', 'sales'], { CRM_DATA_DIR: fresh }, (l) => first.push(l));
      expect(first[0]).toBe(`signed with ${path.join(fresh, 'keys', 'signing-key.json')} (kid ${first[0].match(/kid (.+)\)$/)?.[1]})`);
      expect(first[1]).toContain(`a CRM running with another CRM_DATA_DIR than ${fresh} will reject this token`);
      const again: string[] = [];
      await main(['--sub', 'a', '--dept', 'sales'], { CRM_DATA_DIR: fresh }, (l) => again.push(l));
      expect(again).toEqual([first[0]]);
    } finally {
      await fs.rm(fresh, { recursive: true, force: true });
    }
  });

  it('refuses bad arguments', async () => {
    const env = { CRM_DATA_DIR: dir };
    await expect(main(['--dept', 'sales'], env)).rejects.toThrow(/--sub/);
    await expect(main(['--sub', 'a', '--dept', 'legal'], env)).rejects.toThrow(/--dept must be one of/);
    await expect(main(['--sub', 'a'], env)).rejects.toThrow(/exactly one/);
    await expect(main(['--sub', 'a', '--dept', 'sales', '--partner', 'x'], env)).rejects.toThrow(/exactly one/);
    await expect(main(['--sub', 'a', '--dept', 'sales', '--ttl', 'forever'], env)).rejects.toThrow(/duration/);
  });
});
