import PDFDocument from 'pdfkit';
import { formatMoney, formatRate, type QuoteVersion } from '@crm/relationship';

export interface QuoteDocumentInput {
  quoteId: string;
  opportunityId: string;
  customerId: string;
  /** The customer's name, when it may be shown (`[erased]` after an erasure). */
  customerName?: string;
  status: string;
  version: QuoteVersion;
  /** When the document was made (the clock's now). */
  printedAt: Date;
}

/**
 * The quote as a PDF (pdfkit, standard Helvetica: Latin script only): header, the version's lines
 * with quantities, unit prices, discounts and taxes, and the totals — every amount formatted from
 * integer minor units, never through floating point. Deterministic for one input (creation date from
 * `printedAt`).
 */
export function renderQuotePdf(input: QuoteDocumentInput): Promise<Buffer> {
  const v = input.version;
  const money = (amount: number) => formatMoney(amount, v.currency);
  const doc = new PDFDocument({
    size: 'A4',
    margin: 48,
    info: { Title: `Quote ${input.quoteId} version ${v.version}`, Author: 'CRM sales', CreationDate: input.printedAt, ModDate: input.printedAt },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc
    .font('Helvetica-Bold')
    .fontSize(18)
    .text(`Quote ${input.quoteId.slice(0, 8).toUpperCase()} - version ${v.version}`);
  doc.moveDown(0.3).font('Helvetica').fontSize(9).fillColor('#444');
  doc.text(`Quote id ${input.quoteId}`);
  doc.text(`For ${input.customerName ?? 'customer'} (${input.customerId}), opportunity ${input.opportunityId}`);
  doc.text(`Quote date ${v.quoteDate}${v.validUntil ? `, valid until ${v.validUntil}` : ''}. Status: ${input.status}. Prepared by ${v.preparedBy}.`);
  doc.text(`Prices from price book ${v.priceBookId}, in ${v.currency}.`);
  doc.moveDown(1).fillColor('#000');

  const columns = [
    { title: '#', x: 48, width: 20, align: 'left' as const },
    { title: 'Product', x: 70, width: 150, align: 'left' as const },
    { title: 'Qty', x: 222, width: 36, align: 'right' as const },
    { title: 'Unit price', x: 260, width: 80, align: 'right' as const },
    { title: 'Discount', x: 342, width: 70, align: 'right' as const },
    { title: 'Tax', x: 414, width: 60, align: 'right' as const },
    { title: 'Amount', x: 476, width: 72, align: 'right' as const },
  ];
  const row = (cells: string[], bold = false) => {
    const y = doc.y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8);
    let height = 0;
    cells.forEach((cell, i) => {
      const c = columns[i];
      height = Math.max(height, doc.heightOfString(cell, { width: c.width }));
      doc.text(cell, c.x, y, { width: c.width, align: c.align });
    });
    doc.x = 48;
    doc.y = y + height + 4;
  };
  row(
    columns.map((c) => c.title),
    true,
  );
  for (const l of v.lines) {
    if (doc.y > 740) doc.addPage();
    const contents = l.components?.length ? `\nincludes ${l.components.map((c) => `${c.quantity} x ${c.sku}`).join(', ')}` : '';
    row([
      String(l.lineNo),
      `${l.sku} ${l.name}${contents}`,
      String(l.quantity),
      money(l.unitPrice),
      l.discountBasisPoints ? `${formatRate(l.discountBasisPoints)}\n-${money(l.discountAmount)}` : '-',
      l.taxRateBasisPoints ? `${formatRate(l.taxRateBasisPoints)}\n${money(l.taxAmount)}` : '-',
      money(l.totalAmount),
    ]);
  }
  doc.moveDown(1);
  const t = v.totals;
  const total = (label: string, amount: string, bold = false) => {
    const y = doc.y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(bold ? 11 : 9);
    doc.text(label, 300, y, { width: 130, align: 'right' });
    doc.text(amount, 432, y, { width: 116, align: 'right' });
    doc.x = 48;
  };
  total('List total', money(t.listTotal));
  total('Discounts', `-${money(t.discountTotal)}`);
  total('Net total', money(t.netTotal));
  total('Taxes', money(t.taxTotal));
  total('Grand total', money(t.grandTotal), true);
  doc.moveDown(2).font('Helvetica').fontSize(7).fillColor('#666');
  doc.text(
    'Amounts in minor units of the currency, rounded per line half away from zero (discount on the list amount, tax on the net amount); totals are the sums of the lines.',
    48,
    doc.y,
    { width: 500 },
  );
  doc.text(`Printed ${input.printedAt.toISOString()}.`, { width: 500 });
  doc.end();
  return done;
}
