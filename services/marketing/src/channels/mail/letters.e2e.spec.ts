import { TestClock } from '@crm/kernel';
import type { Platform } from '@crm/platform';
import { createRelationshipCommands, type ContactDto, type PostalAddressDto } from '@crm/relationship-api';
import type { Principal, ServiceApp } from '@crm/service-kit';
import { httpCaller } from '@crm/service-kit/testing';
import { CampaignDispatcherService } from '../../campaigns/dispatch/campaign-dispatcher.service';
import { CALLERS, mintTokens, startMarketing } from '../../testing/marketing-under-test';

// A letter step of a running campaign (issue 13 §3, mail channel) over HTTP: the letter goes to the
// postal address of the customer's first contact that has one (a person's: its own; an organisation
// without one: its own), and lands on the print list with its address columns; a customer without a
// postal address is suppressed (no-address). Embedded, on a
// test clock; the dispatcher ticks only when the spec says so.
describe('letters to postal addresses (embedded)', () => {
  const clock = new TestClock('2026-05-01T10:00:00.000Z');
  let app: ServiceApp;
  let platform: Platform;
  const marketer: Principal = { kind: 'staff', subject: 'mira', department: 'marketing', roles: [] };
  let base = '';
  let stop: (() => Promise<void>) | undefined;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    ({ app, base, stop, platform } = await startMarketing('letters', clock, { CRM_CAMPAIGN_DISPATCH_INTERVAL_MS: '0' }));
    Object.assign(tokens, await mintTokens(app, { marketing: marketer, ...CALLERS }));
  });
  afterAll(async () => {
    await stop?.();
  });

  const call = httpCaller(
    () => base,
    () => tokens.marketing,
  );
  const tick = () => app.app.get(CampaignDispatcherService).dispatcher.tick();

  /** A customer (registered as sales would: marketing does not register customers), which agreed to offers by post. */
  const customer = async (kind: 'person' | 'organisation', name: string, contacts: ContactDto[], address?: PostalAddressDto) => {
    const { id } = await createRelationshipCommands(platform.eventStore, { clock }).customers.register(marketer, {
      kind,
      name,
      contacts,
      ...(address && { address }),
    });
    const granted = await call('POST', `/customers/${id}/consent/grants`, {
      channel: 'mail',
      purpose: 'offers',
      source: 'form',
      evidence: { textVersion: 'offers-2026-04', formId: 'footer' },
    });
    expect(granted.status).toBe(200);
    return id;
  };
  const organisation = (name: string, contacts: ContactDto[], address?: PostalAddressDto) => customer('organisation', name, contacts, address);
  const letterCampaign = async (name: string, customerIds: string[]) => {
    const defined = await call('POST', '/campaigns', {
      name,
      purpose: 'offers',
      audience: { kind: 'list', customerIds },
      steps: [
        { stepId: 'letter', channel: 'mail', delayMinutes: 0, variants: [{ variantId: 'a', weight: 1, template: { text: 'Dear {{name}}, our catalogue' } }] },
      ],
      controlBasisPoints: 0,
      throttlePerSecond: 100,
      attributionWindowDays: 14,
      costPerMessage: { amountMinor: 95, currency: 'EUR' },
    });
    expect(defined.status).toBe(201);
    const campaignId = String(defined.body.campaignId);
    expect((await call('POST', `/campaigns/${campaignId}/start`)).status).toBe(200);
    return campaignId;
  };
  const printList = async (campaignId: string) => {
    const r = await fetch(`${base}/campaigns/${campaignId}/print-list.csv`, { headers: { authorization: `Bearer ${tokens.marketing}` } });
    expect(r.status).toBe(200);
    return (await r.text()).split('\r\n');
  };

  it('lists the letter with the contact’s postal address; a customer without one is suppressed with no-address', async () => {
    const maju = await organisation('PT Maju Jaya', [
      { name: 'Budi Santoso', email: 'budi@majujaya.example' },
      {
        name: 'Sari Wijaya',
        roles: ['buyer'],
        address: { lines: ['Jl. Merdeka 5', 'RT 2, RW 3'], postalCode: '10110', locality: 'Jakarta Pusat', region: 'DKI Jakarta', country: 'ID' },
      },
    ]);
    const evil = await organisation('=HYPERLINK("http://evil.example")', [
      { name: 'Ayu', address: { lines: ['-Jl. Sudirman 1'], locality: 'Bandung', country: 'ID' } },
    ]);
    const nowhere = await organisation('CV Tanpa Alamat', [{ name: 'Dewi', email: 'dewi@tanpa.example' }]);
    const campaignId = await letterCampaign('Spring catalogue', [maju, evil, nowhere]);

    expect(await tick()).toMatchObject({ sent: 2, suppressed: 1, bounced: 0 });
    const recipients = (await call('GET', `/campaigns/${campaignId}/messages?limit=100`)).body.items as {
      customerId: string;
      messages: { status: string; reason?: string }[];
    }[];
    expect(recipients.find((r) => r.customerId === nowhere)!.messages[0]).toMatchObject({ status: 'suppressed', reason: 'no-address' });

    const rows = await printList(campaignId);
    expect(rows[0]).toBe(
      'message_id,customer_id,step_id,variant_id,name,address_line_1,address_line_2,address_line_3,address_line_4,address_line_5,address_line_6,address_line_7,address_line_8,text',
    );
    const row = (customerId: string) => rows.find((line) => line.includes(customerId))!.replace(/^[^,]+,/, '');
    expect(row(maju)).toBe(
      `${maju},letter,a,Sari Wijaya,PT Maju Jaya,Jl. Merdeka 5,"RT 2, RW 3",10110 Jakarta Pusat,DKI Jakarta,ID,,,"Dear PT Maju Jaya, our catalogue"`,
    );
    // Names and addresses a spreadsheet would run are quoted harmless.
    expect(row(evil)).toBe(
      `${evil},letter,a,Ayu,"'=HYPERLINK(""http://evil.example"")",'-Jl. Sudirman 1,Bandung,ID,,,,,"Dear =HYPERLINK(""http://evil.example""), our catalogue"`,
    );
    expect(rows.filter((line) => line.includes(nowhere))).toEqual([]);
    expect(rows).toHaveLength(4);
  });

  it('sends a person’s letter to the person’s own address; an organisation without a contact address gets it at its own, addressed to it', async () => {
    const sari = await customer('person', 'Sari Wijaya', [], { lines: ['Jl. Braga 3'], postalCode: '40111', locality: 'Bandung', country: 'ID' });
    const homeless = await customer('person', 'Dewi Tanpa Rumah', []);
    const office = await organisation('PT Kantor Pusat', [{ name: 'Budi', email: 'budi@kantor.example' }], {
      lines: ['Jl. Jend. Sudirman Kav. 52'],
      postalCode: '12190',
      locality: 'Jakarta Selatan',
      region: 'DKI Jakarta',
      country: 'ID',
    });
    // Marketing staff may give a person an address later (PATCH /customers/{id}, the whole address).
    const eko = await customer('person', 'Eko Prasetyo', []);
    expect((await call('PATCH', `/customers/${eko}`, { address: { lines: ['Jl. Pemuda 7'], locality: 'Semarang', country: 'ID' } })).status).toBe(200);
    const campaignId = await letterCampaign('Autumn catalogue', [sari, homeless, office, eko]);

    expect(await tick()).toMatchObject({ sent: 3, suppressed: 1, bounced: 0 });
    const recipients = (await call('GET', `/campaigns/${campaignId}/messages?limit=100`)).body.items as {
      customerId: string;
      messages: { status: string; reason?: string }[];
    }[];
    expect(recipients.find((r) => r.customerId === homeless)!.messages[0]).toMatchObject({ status: 'suppressed', reason: 'no-address' });
    expect(recipients.find((r) => r.customerId === sari)!.messages[0]).toMatchObject({ status: 'sent' });

    const rows = await printList(campaignId);
    const row = (customerId: string) => rows.find((line) => line.includes(customerId))!.replace(/^[^,]+,/, '');
    expect(row(sari)).toBe(`${sari},letter,a,Sari Wijaya,Jl. Braga 3,40111 Bandung,ID,,,,,,"Dear Sari Wijaya, our catalogue"`);
    expect(row(office)).toBe(
      `${office},letter,a,PT Kantor Pusat,Jl. Jend. Sudirman Kav. 52,12190 Jakarta Selatan,DKI Jakarta,ID,,,,,"Dear PT Kantor Pusat, our catalogue"`,
    );
    expect(row(eko)).toBe(`${eko},letter,a,Eko Prasetyo,Jl. Pemuda 7,Semarang,ID,,,,,,"Dear Eko Prasetyo, our catalogue"`);
    expect(rows.filter((line) => line.includes(homeless))).toEqual([]);
  });
});
