import { csvSafe, printListCsv } from './print-list-csv';

// The print list export: formula-safe cells, quoting, one column per address line.
describe('print list CSV', () => {
  it('prefixes values a spreadsheet would run as a formula with a quote', () => {
    expect(['=1+1', '+62 812', '-5', '@SUM(A1)', '\t=cmd', 'Jl. Merdeka 5', '1=1'].map(csvSafe)).toEqual([
      "'=1+1",
      "'+62 812",
      "'-5",
      "'@SUM(A1)",
      "'\t=cmd",
      'Jl. Merdeka 5',
      '1=1',
    ]);
  });

  it('writes a header, quotes commas, quotes and line breaks, and leaves unused address columns empty', () => {
    const csv = printListCsv(
      [
        {
          messageId: 'm-1',
          campaignId: 'c-1',
          stepId: 'letter',
          variantId: null,
          customerId: 'cu-1',
          name: '=HYPERLINK("http://evil")',
          address: ['Jl. Merdeka 5, RT 2', 'Jakarta 10110'],
          text: 'Dear "Sari",\nour offer',
          listedAt: '2026-05-01T10:00:00.000Z',
        },
      ],
      true,
    );
    const [header, row] = csv.split('\r\n');
    expect(header).toBe(
      'message_id,customer_id,step_id,variant_id,name,address_line_1,address_line_2,address_line_3,address_line_4,address_line_5,address_line_6,address_line_7,address_line_8,text',
    );
    expect(row).toBe('m-1,cu-1,letter,,"\'=HYPERLINK(""http://evil"")","Jl. Merdeka 5, RT 2",Jakarta 10110,,,,,,,"Dear ""Sari"",\nour offer"');
  });
});
