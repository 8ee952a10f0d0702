import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { PurchaseOccasion } from '../summaries';

/** One line of CDNOW_sample.txt: master id, sample id, date YYYYMMDD, number of CDs, dollar value. */
export interface CdnowTransaction {
  masterId: string;
  customerId: string;
  day: string;
  cds: number;
  dollars: number;
}

export const CDNOW_DIR = path.join(__dirname, '..', '..', 'fixtures', 'cdnow');

/** The 6,919 transactions of the CDNOW 1/10 sample (2,357 customers), see fixtures/cdnow/README.md. */
export function cdnowTransactions(): CdnowTransaction[] {
  return readFileSync(path.join(CDNOW_DIR, 'CDNOW_sample.txt'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [masterId, customerId, date, cds, dollars] = line.trim().split(/\s+/);
      return { masterId, customerId, day: `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`, cds: Number(cds), dollars: Number(dollars) };
    });
}

export function cdnowOccasions(): PurchaseOccasion[] {
  return cdnowTransactions().map((t) => ({ customerId: t.customerId, day: t.day, amount: t.dollars }));
}

/** The paper's own calibration summary (x, t_x, T in weeks, mean repeat spend zbar), as shipped with lifetimes. */
export function cdnowPaperSummary(): { id: string; x: number; tx: number; T: number; zbar: number }[] {
  const [, ...rows] = readFileSync(path.join(CDNOW_DIR, 'cdnow_customers_summary_with_transactions.csv'), 'utf8').trim().split('\n');
  return rows.map((row) => {
    const [id, x, tx, T, zbar] = row.split(',');
    return { id, x: Number(x), tx: Number(tx), T: Number(T), zbar: Number(zbar) };
  });
}
