import { Readable } from 'node:stream';
import { DomainRuleViolation } from '@crm/relationship';
import type { CaptureLeadInput } from '@crm/relationship-api';
import { ImportRefusedError, importLeads, type ImportLimits } from './lead-import';

const limits: ImportLimits = { maxLines: 3, maxBytes: 1000, maxErrors: 1 };
const body = (text: string) => Readable.from([Buffer.from(text)]);

describe('CSV lead import', () => {
  it('captures each line once, converting yes/no and numbers; a lead that exists is a duplicate', async () => {
    const seen: CaptureLeadInput[] = [];
    const r = await importLeads(
      body('\ufeffexternal id,NAME,email,authority,budget,source\n1,Rina,r@x.example,Yes,100,event\n2,Budi,b@x.example,no,,\n3,Citra,c@x.example,,,\n'),
      async (input) => {
        seen.push(input);
        if (input.externalId === '3') throw new DomainRuleViolation('lead-exists', 'lead was already captured');
        return { created: input.externalId === '1' };
      },
      limits,
    );
    expect(r).toEqual({ created: 1, duplicates: 2, failed: 0, errors: [] });
    expect(seen[0]).toEqual({ externalId: '1', name: 'Rina', email: 'r@x.example', source: 'event', qualification: { authority: true, budget: 100 } });
    expect(seen[1]).toMatchObject({ source: 'import', qualification: { authority: false } });
  });

  it('counts every failed line but lists at most maxErrors', async () => {
    const r = await importLeads(body('externalId,name,email\n1,A,bad\n2,B,bad\n'), async () => ({ created: true }), limits);
    expect(r).toMatchObject({ created: 0, failed: 2, errors: [{ line: 2, field: 'email' }] });
  });

  it('refuses more lines or bytes than the limits (413), keeping what was done', async () => {
    const lines = await importLeads(
      body('externalId,name,email\n1,A,a@x.example\n2,B,b@x.example\n3,C,c@x.example\n4,D,d@x.example\n'),
      async () => ({ created: true }),
      limits,
    ).catch((e: unknown) => e);
    expect(lines).toBeInstanceOf(ImportRefusedError);
    expect(lines).toMatchObject({ status: 413, field: 'body', partial: { created: 3 } });
    const chunks = [Buffer.from('externalId,name,email\n'), ...Array.from({ length: 50 }, (_, i) => Buffer.from(`${i},Name ${i},n${i}@x.example\n`))];
    const bytes = await importLeads(Readable.from(chunks), async () => ({ created: true }), { ...limits, maxLines: 1000 }).catch((e: unknown) => e);
    expect(bytes).toMatchObject({ status: 413, field: 'body' });
  });

  it('passes on what is not a rule of the domain (the database is down): no answer pretends it worked', async () => {
    await expect(importLeads(body('externalId,name,email\n1,A,a@x.example\n'), () => Promise.reject(new Error('connection refused')), limits)).rejects.toThrow(
      'connection refused',
    );
  });
});
