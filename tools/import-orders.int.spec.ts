import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import type { Platform } from '@crm/platform';
import { TokenMint, type ServiceApp, type ServiceConfig } from '@crm/service-kit';
import { startEmbeddedService } from '@crm/service-kit/testing';
import { main, ProgressBar, UsageError } from './import-orders';

// Loaded by path, as the embedded host loads services: a tool never imports a service.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sales = require(path.join(__dirname, '../services/sales/src/sales')) as {
  SalesConfig: new () => ServiceConfig;
  createSalesApp: (config: ServiceConfig, platform: Platform, hosting: { embedded: boolean }) => Promise<ServiceApp>;
};

// npm run import-orders: the same import through the running CRM's API, or straight into the store.
describe('import-orders (command line)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-import-orders-'));
  const tag = randomUUID().slice(0, 8);
  const file = path.join(dir, 'orders.csv');
  fs.writeFileSync(
    file,
    [
      'customerExternalId,orderId,orderDate,amount,currency,productId,quantity,unitPrice',
      ...Array.from({ length: 40 }, (_, i) => `${tag}-C${i % 3},${tag}-SO${i},2024-01-01,${i + 1}.00,EUR,P${i},1,${i + 1}.00`),
      `${tag}-C1,${tag}-BAD,2024-01-01,1.00,EURO,,,`,
    ].join('\n') + '\n',
  );
  const output: string[] = [];
  const io = { progress: { write: (text: string) => output.push(text), isTTY: false } };

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('through the API', () => {
    let app: ServiceApp;
    let stop: () => Promise<void>;
    let base: string;
    let dataDir: string;
    beforeAll(async () => {
      ({ app, base, stop, dataDir } = await startEmbeddedService('sales-import-cli', sales.SalesConfig, sales.createSalesApp, crmRegistry()));
    });
    afterAll(async () => {
      await stop?.();
    });

    it('streams the file to POST /orders/import and prints the outcome; a second run finds every order', async () => {
      const token = await app.app.get(TokenMint).mint({ kind: 'staff', subject: 'mia', department: 'sales', roles: ['manager'] });
      const first = await main(['--file', file, '--url', base, '--token', token, '--system', 'erp'], {}, io);
      expect(first).toMatchObject({
        status: 'completed',
        startedBy: 'mia',
        system: 'erp',
        counts: { lines: 41, created: 40, failedLines: 1, customersCreated: 3 },
      });
      expect(first.errors).toEqual([{ line: 42, field: 'currency', reason: expect.any(String) }]);
      expect(output.join('')).toMatch(/\[#+\] 100% .* 41 lines .* 40 orders new, 0 known, 1 failed, 3 customers new/);
      // Without a token, on the machine of an embedded CRM: one minted with its key.
      const second = await main(['--file', file, '--url', base, '--system', 'erp'], { CRM_DATA_DIR: dataDir }, io);
      expect(second).toMatchObject({ startedBy: 'import-orders', counts: { created: 0, existing: 40 } });
    });

    it('says what the CRM answered when it refuses', async () => {
      const agent = await app.app.get(TokenMint).mint({ kind: 'staff', subject: 'sari', department: 'sales', roles: ['agent'] });
      await expect(main(['--file', file, '--url', base, '--token', agent], {}, io)).rejects.toThrow(/answered 403/);
    });
  });

  it('straight into the store (--direct), with the settings npm start takes', async () => {
    const dataDir = path.join(dir, 'data');
    const first = await main(['--file', file, '--direct', '--as', 'mia'], { CRM_DATA_DIR: dataDir }, io);
    expect(first).toMatchObject({ status: 'completed', startedBy: 'mia', counts: { created: 40, failedLines: 1, customersCreated: 3 } });
    const second = await main(['--file', file, '--direct'], { CRM_DATA_DIR: dataDir }, io);
    expect(second.counts).toMatchObject({ created: 0, existing: 40, customersCreated: 0 });
  });

  it('refuses bad arguments with the usage', async () => {
    for (const argv of [[], ['--file', path.join(dir, 'missing.csv')], ['--file', file, '--customer-kind', 'robot'], ['--file', file, '--colour', 'blue']])
      await expect(main(argv, {}, io)).rejects.toThrow(argv.includes('--colour') ? /colour/ : UsageError);
  });

  it('draws its bar from the bytes and the counts, at the rate of its clock', () => {
    let now = 0;
    const lines: string[] = [];
    const bar = new ProgressBar(2_097_152, { progress: { write: (t) => lines.push(t), isTTY: true }, now: () => now });
    now = 2000;
    expect(bar.line(1_048_576, { lines: 1000, orders: 900, created: 890, existing: 5, failedOrders: 5, customersCreated: 12 })).toBe(
      '[###############...............]  50% · 1.0 MB/2.0 MB · 1,000 lines (500/s) · 890 orders new, 5 known, 5 failed, 12 customers new',
    );
    bar.update(10);
    bar.update(20); // within 100 ms of the last drawing: not drawn
    now = 2200;
    bar.update(30);
    expect(lines).toHaveLength(2);
    expect(lines[0].startsWith('\r[')).toBe(true);
  });
});
