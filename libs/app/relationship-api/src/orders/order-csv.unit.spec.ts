import { Readable } from 'node:stream';
import { OrderCsvRefusedError, OrderRefusedError, readOrderCsv, type CsvOrder, type ImportLineError } from './order-csv';

const HEADER = 'customerExternalId,orderId,orderDate,amount,currency,productId,quantity,unitPrice';

/** Reads `chunks` as an upload would arrive; `refuse` makes `order` refuse the orders with these numbers. */
async function read(chunks: string | string[], refuse: Record<string, OrderRefusedError> = {}) {
  const orders: CsvOrder[] = [];
  const errors: ImportLineError[] = [];
  const failedOrders: string[] = [];
  const progress: number[] = [];
  const r = await readOrderCsv(Readable.from(([] as string[]).concat(chunks).map((c) => Buffer.from(c))), {
    order: async (o) => {
      if (refuse[o.externalOrderId]) throw refuse[o.externalOrderId];
      orders.push(o);
    },
    lineFailed: (e) => errors.push(e),
    orderFailed: (id) => failedOrders.push(id),
    progress: (lines) => {
      progress.push(lines);
    },
  });
  return { ...r, orders, errors, failedOrders, progress };
}

describe('reading the order CSV', () => {
  it('gathers the rows of one order into its lines, amounts in minor units by the currency', async () => {
    const r = await read(
      [
        HEADER,
        'C1,SO1,2024-01-05,30.00,EUR,P1,1,10.00',
        'C1,SO1,2024-01-05,30.00,EUR,P2,2,10',
        'C2,SO2,2024-02-01T10:00:00Z,1500,jpy,,,',
        'C3,SO3,2024-02-02,1.005,KWD,P9,3,0.335',
      ].join('\n'),
    );
    expect(r.errors).toEqual([]);
    expect(r.orders).toEqual([
      {
        externalOrderId: 'SO1',
        customerExternalId: 'C1',
        orderDate: '2024-01-05',
        currency: 'EUR',
        amount: 3000,
        lines: [
          { productId: 'P1', quantity: 1, unitPrice: 1000 },
          { productId: 'P2', quantity: 2, unitPrice: 1000 },
        ],
        fileLines: [2, 3],
      },
      { externalOrderId: 'SO2', customerExternalId: 'C2', orderDate: '2024-02-01T10:00:00Z', currency: 'JPY', amount: 1500, lines: [], fileLines: [4] },
      {
        externalOrderId: 'SO3',
        customerExternalId: 'C3',
        orderDate: '2024-02-02',
        currency: 'KWD',
        amount: 1005,
        lines: [{ productId: 'P9', quantity: 3, unitPrice: 335 }],
        fileLines: [5],
      },
    ]);
    expect(r.progress).toEqual([1, 2, 3, 4]);
    expect(r.lines).toBe(4);
  });

  it('takes the columns in any order and case, and the optional names', async () => {
    const r = await read('Currency,AMOUNT,order_date,Order-Id,customer external id,customerName\nEUR,5,2024-01-01,SO1,C1,"PT Maju, Tbk"\n');
    expect(r.orders).toEqual([
      {
        externalOrderId: 'SO1',
        customerExternalId: 'C1',
        customerName: 'PT Maju, Tbk',
        orderDate: '2024-01-01',
        currency: 'EUR',
        amount: 500,
        lines: [],
        fileLines: [2],
      },
    ]);
  });

  it('reports each bad line with its line and column, fails its whole order, and goes on', async () => {
    const r = await read(
      [
        HEADER,
        'C1,SO1,2024-13-01,1.00,EUR,,,', // 2: bad date
        'C1,SO2,2024-01-01,1.00,EURO,,,', // 3: bad currency
        'C1,SO3,2024-01-01,1.001,EUR,,,', // 4: more decimals than EUR has
        'C1,SO4,2024-01-01,-1,EUR,,,', // 5: negative
        'C1,SO5,2024-01-01,1.00,EUR,P1,0,1.00', // 6: quantity 0
        'C1,SO6,2024-01-01,1.00,EUR,P1,1,', // 7: unit price missing
        'C1,SO7,2024-01-01,1.00,EUR,P1,1,1.00', // 8: fine, but…
        'C1,SO7,2024-01-01,2.00,EUR,P2,1,1.00', // 9: …its amount differs from line 8's
        'C1,SO7,2024-01-01,1.00,EUR,P3,1,1.00', // 10: a good line of a failed order
        ',SO8,2024-01-01,1.00,EUR,,,', // 11: no customer
        'C1,,2024-01-01,1.00,EUR,,,', // 12: no order id
        'C1,SO9,2024-01-01,1.00', // 13: too few values
        'C1,SO10,2024-01-01,1.00,EUR,"P\u0000",1,1.00', // 14: NUL
        'C1,SO11,2024-01-01,7.00,EUR,,,', // 15: fine
      ].join('\r\n'),
    );
    expect(r.orders.map((o) => o.externalOrderId)).toEqual(['SO11']);
    expect(r.errors.map((e) => [e.line, e.field])).toEqual([
      [2, 'orderDate'],
      [3, 'currency'],
      [4, 'amount'],
      [5, 'amount'],
      [6, 'quantity'],
      [7, 'unitPrice'],
      [9, 'amount'],
      [8, 'orderId'],
      [10, 'orderId'],
      [11, 'customerExternalId'],
      [12, 'orderId'],
      [13, 'line'],
      [14, 'productId'],
    ]);
    expect(r.errors.find((e) => e.line === 8)?.reason).toBe('order SO7 was not imported: line 9 has an error');
    expect(r.errors.find((e) => e.line === 4)?.reason).toContain('EUR has 2 decimals');
    expect(r.errors.find((e) => e.line === 14)?.reason).toContain('NUL');
    expect(r.failedOrders).toEqual(['SO1', 'SO2', 'SO3', 'SO4', 'SO5', 'SO6', 'SO7', 'SO8', 'SO9', 'SO10']);
  });

  it('an order refused when placed is reported on its first line, its other lines naming it', async () => {
    const r = await read([HEADER, 'C1,SO1,2030-01-01,1.00,EUR,P1,1,1.00', 'C1,SO1,2030-01-01,1.00,EUR,P2,1,0', 'C1,SO2,2024-01-01,2.00,EUR,,,'].join('\n'), {
      SO1: new OrderRefusedError('orderDate', 'an order cannot be dated more than a day ahead'),
    });
    expect(r.errors).toEqual([
      { line: 2, field: 'orderDate', reason: 'an order cannot be dated more than a day ahead' },
      { line: 3, field: 'orderId', reason: 'order SO1 was not imported: see line 2' },
    ]);
    expect(r.orders.map((o) => o.externalOrderId)).toEqual(['SO2']);
  });

  it('reads the body as it arrives: chunks split mid-line and mid-value, a multi-line value, CRLF line numbers kept', async () => {
    const r = await read([
      `${HEADER}\r\nC1,SO1,2024-01-05,3`,
      `0.00,EUR,P1,1,10.00\r\nC1,SO1,2024-01-05,30.00,EUR,"P`,
      `2\r\nbis",2,10.00\r\nC1,SO2,2024-13-05,1,EUR,,,\r\n`,
    ]);
    expect(r.orders).toHaveLength(1);
    expect(r.orders[0].lines.map((l) => l.productId)).toEqual(['P1', 'P2\r\nbis']);
    expect(r.errors).toEqual([expect.objectContaining({ line: 5, field: 'orderDate' })]);
  });

  it.each([
    ['', 'the file is empty'],
    ['customerExternalId,orderId,orderDate,amount\nC1,SO1,2024-01-01,1', 'currency'],
    [`${HEADER},colour\n`, 'unknown column'],
    ['customerExternalId,orderId,orderDate,amount,currency,orderId\n', 'named twice'],
    ['customerExternalId,orderId,orderDate,amount,currency,productId\n', 'come together'],
  ])('refuses the file for its header: %j', async (csv, message) => {
    const attempt = read(csv);
    await expect(attempt).rejects.toBeInstanceOf(OrderCsvRefusedError);
    await expect(attempt).rejects.toMatchObject({ field: 'header', message: expect.stringContaining(message) });
  });

  it('refuses a CSV it cannot read, naming the body', async () => {
    await expect(read(`${HEADER}\nC1,"SO1,2024-01-01,1,EUR,,,\n`)).rejects.toMatchObject({ name: 'OrderCsvRefusedError', field: 'body' });
  });

  it('an error that is not a refusal stops the import', async () => {
    const boom = new Error('database is away');
    const attempt = readOrderCsv(Readable.from([`${HEADER}\nC1,SO1,2024-01-01,1,EUR,,,\n`]), {
      order: async () => {
        throw boom;
      },
      lineFailed: () => undefined,
    });
    await expect(attempt).rejects.toBe(boom);
  });
});
