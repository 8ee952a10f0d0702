import { TestClock } from '@crm/kernel';
import { MAX_ADDRESS_LINES, type CampaignListsStore } from './campaign-lists';
import { InMemoryMessageSender } from './testing/in-memory-message-sender';
import { LoggingMessageSender } from './logging-message-sender';
import { PrintListSender } from './mail/print-list-sender';
import type { OutboundMessage } from './message-sender';
import { CallListSender } from './phone/call-list-sender';

const message = (to: string | string[]): OutboundMessage => ({
  messageId: 'm-1',
  campaignId: 'c-1',
  stepId: 'step-1',
  variantId: 'a',
  customerId: 'cu-1',
  channel: 'mail',
  to,
  subject: 'Your spring offer',
  text: 'Dear Sari, …',
});

/** The lists' two writes, recorded. */
function fakeLists() {
  const calls: [string, string][] = [];
  const prints: [string, string, string[]][] = [];
  const store = {
    addCall: async (m: OutboundMessage, phone: string) => (calls.push([m.messageId, phone]), true),
    addPrint: async (m: OutboundMessage, name: string, address: string[]) => (prints.push([m.messageId, name, address]), true),
  } as unknown as CampaignListsStore;
  return { store, calls, prints };
}

// The list senders, the test sender and the logging sender, without a database.
describe('list, in-memory and logging senders', () => {
  const clock = new TestClock('2026-05-01T10:00:00.000Z');

  it('phone: an E.164 number is listed; anything else cannot be dialled (hard bounce, nothing listed)', async () => {
    const { store, calls } = fakeLists();
    const sender = new CallListSender(store, clock);
    expect(await sender.send(message('+6281234567890'))).toEqual({ status: 'accepted', providerId: 'call-list/m-1' });
    for (const to of ['081234567890', '+0812345', '+62 812 3456', ''])
      expect(await sender.send(message(to))).toEqual({ status: 'bounced', kind: 'hard', reason: 'not an E.164 phone number' });
    expect(calls).toEqual([['m-1', '+6281234567890']]);
  });

  it('mail: the first line is the addressee, the rest the address (array or lines); too few or too many lines bounce', async () => {
    const { store, prints } = fakeLists();
    const sender = new PrintListSender(store, clock);
    expect(await sender.send(message(['Sari Wijaya', 'Jl. Merdeka 5', 'Jakarta 10110']))).toMatchObject({ status: 'accepted' });
    expect(await sender.send(message('Budi Santoso\r\n Jl. Sudirman 1 \n\nBandung'))).toMatchObject({ status: 'accepted' });
    expect(prints).toEqual([
      ['m-1', 'Sari Wijaya', ['Jl. Merdeka 5', 'Jakarta 10110']],
      ['m-1', 'Budi Santoso', ['Jl. Sudirman 1', 'Bandung']],
    ]);
    expect(await sender.send(message(['Ayu Lestari']))).toMatchObject({ status: 'bounced', kind: 'hard' });
    expect(await sender.send(message(['', '  ']))).toMatchObject({ status: 'bounced', kind: 'hard' });
    const tooMany = ['Name', ...Array.from({ length: MAX_ADDRESS_LINES + 1 }, (_, i) => `line ${i + 1}`)];
    expect(await sender.send(message(tooMany))).toMatchObject({ status: 'bounced', kind: 'hard' });
    expect(await sender.send(message(tooMany.slice(0, -1)))).toMatchObject({ status: 'accepted' });
    expect(prints).toHaveLength(3);
  });

  it('in memory: keeps what it accepts, and answers what it is told for one recipient or all', async () => {
    const sender = new InMemoryMessageSender('email');
    expect(await sender.send(message('a@example.com'))).toEqual({ status: 'accepted', providerId: 'memory-1' });
    sender.failWith({ status: 'bounced', kind: 'hard', reason: 'no such mailbox' }, 'gone@example.com');
    expect(await sender.send(message('gone@example.com'))).toEqual({ status: 'bounced', kind: 'hard', reason: 'no such mailbox' });
    expect(await sender.send(message('b@example.com'))).toMatchObject({ status: 'accepted' });
    sender.failWith(new Error('adapter broken'));
    await expect(sender.send(message('c@example.com'))).rejects.toThrow('adapter broken');
    expect(sender.sent.map((m) => m.to)).toEqual(['a@example.com', 'b@example.com']);
    sender.reset();
    expect(await sender.send(message('c@example.com'))).toMatchObject({ status: 'accepted' });
  });

  it('logging: accepts and logs the ids only — never the address, the subject or the text', async () => {
    const lines: string[] = [];
    const sender = new LoggingMessageSender('email', (l) => lines.push(l));
    expect(await sender.send(message('sari@example.com'))).toEqual({ status: 'accepted', providerId: 'logged-m-1' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('m-1');
    expect(lines[0]).toContain('c-1');
    for (const personal of ['sari@example.com', 'spring offer', 'Dear Sari']) expect(lines[0]).not.toContain(personal);
  });
});
