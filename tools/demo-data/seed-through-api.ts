/**
 * `npm run demo-data -- --api [console url]`: the departments' demo data, made through a running
 * CRM's APIs (products and quotes, pipeline, activities, cases, segments and campaigns, partner
 * users and their credentials), after `npm run demo-data` loaded the event-level bulk and
 * `npm start` started. Default url http://localhost:3000 (the console; the APIs are under /api).
 * `--json` prints what it made as one JSON line at the end (ids and partner credentials).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createSeedContext, type BulkDemoData } from './seed-context';
import { seedMarketing } from './seed-marketing';
import { seedPartners } from './seed-partners';
import { seedSales } from './seed-sales';
import { seedService } from './seed-service';

export async function seedThroughApi(url: string, dataDir: string, json: boolean): Promise<Record<string, unknown>> {
  const file = path.join(dataDir, 'demo-data.json');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`npm run demo-data\` (with the CRM stopped) before \`--api\``);
  const bulk = JSON.parse(fs.readFileSync(file, 'utf8')) as BulkDemoData;
  const log = (line: string) => (json ? process.stderr : process.stdout).write(`demo-data --api: ${line}\n`);
  const ctx = createSeedContext(url.replace(/\/+$/, ''), bulk, log);
  for (const [name, seed] of [
    ['partners', seedPartners],
    ['sales', seedSales],
    ['service', seedService],
    ['marketing', seedMarketing],
  ] as const) {
    log(`${name}…`);
    await seed(ctx);
  }
  return ctx.out;
}
