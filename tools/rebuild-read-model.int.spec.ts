import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, PlatformConfig } from '@crm/config';
import { testMetadata } from '@crm/event-store/testing';
import { createPlatform } from '@crm/platform';
import { testRegistry } from '@crm/projections/testing';

// The CLI as an operator runs it, against an embedded data directory written by another process.
describe('rebuild-read-model CLI (embedded)', () => {
  it('replays the store from position zero into the read model', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-rebuild-'));
    const env = { CRM_MODE: 'embedded', CRM_DATA_DIR: dataDir };
    const platform = await createPlatform(loadConfig(PlatformConfig, env), { registry: testRegistry(), clientId: 'test' });
    const customerId = randomUUID();
    for (let seq = 0; seq < 5; seq++) {
      await platform.eventStore.appendToStream(`customer-${customerId}`, [
        { id: randomUUID(), type: 'CustomerNoted', data: { customerId, seq, note: 'n' }, metadata: testMetadata(), schemaVersion: 1 },
      ]);
    }
    await platform.close();

    const root = path.resolve(__dirname, '..');
    const out = execFileSync(
      process.execPath,
      ['tools/run-ts.js', 'tools/rebuild-read-model.ts', '--module', 'libs/app/projections/src/testing/test-read-models.ts'],
      {
        cwd: root,
        env: { PATH: process.env.PATH, ...env },
        encoding: 'utf8',
      },
    );
    expect(out).toContain('rebuilt test-customer-activity: 5 events applied');

    const again = await createPlatform(loadConfig(PlatformConfig, env), { registry: testRegistry(), clientId: 'test' });
    try {
      const rows = await again.sql.query<{ events: number; seq_sum: string }>('SELECT events, seq_sum::text AS seq_sum FROM public.test_customer_activity');
      expect(rows.rows).toEqual([{ events: 5, seq_sum: '10' }]);
    } finally {
      await again.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
