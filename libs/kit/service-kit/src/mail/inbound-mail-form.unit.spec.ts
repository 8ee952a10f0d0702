import { addressOf, inboundMailOf, messageIds, normaliseMessageId, parseHeaderBlock } from './inbound-mail-form';

describe('inbound mail fields', () => {
  it('reads SendGrid Inbound Parse: threading headers from the raw header block (folded lines unfolded)', () => {
    const headers = [
      'Received: by mx.sendgrid.net with SMTP id abc',
      'Message-ID: <CAF=answer@mail.example.com>',
      'In-Reply-To: <r1@crm.example.com>',
      'References: <c1@mail.example.com>',
      '\t<r1@crm.example.com>',
      'Subject: Re: Printer jams',
    ].join('\r\n');
    expect(inboundMailOf({ from: 'Budi <BUDI@example.com>', subject: 'Re: Printer jams', text: 'Still jams.', headers })).toEqual({
      messageId: '<CAF=answer@mail.example.com>',
      from: 'Budi <BUDI@example.com>',
      subject: 'Re: Printer jams',
      text: 'Still jams.',
      inReplyTo: '<r1@crm.example.com>',
      references: ['<c1@mail.example.com>', '<r1@crm.example.com>'],
    });
  });

  it("reads Mailgun's field names", () => {
    expect(
      inboundMailOf({
        sender: 'budi@example.com',
        subject: 'Hi',
        'body-plain': 'Hello',
        'Message-Id': '<m1@mg>',
        'In-Reply-To': '<r1@crm>',
        References: '<r1@crm>',
      }),
    ).toEqual({ messageId: '<m1@mg>', from: 'budi@example.com', subject: 'Hi', text: 'Hello', inReplyTo: '<r1@crm>', references: ['<r1@crm>'] });
  });

  it('takes the text of an HTML-only mail; cuts a very long text; names a missing sender or a NUL', () => {
    expect((inboundMailOf({ from: 'a@b.c', html: '<p>Hello &amp; <b>bye</b></p><script>x()</script>' }) as { text: string }).text).toBe('Hello & bye');
    expect((inboundMailOf({ from: 'a@b.c', text: 'x'.repeat(30_000) }) as { text: string }).text.length).toBeLessThan(20_100);
    expect(inboundMailOf({ subject: 'x' })).toEqual([{ field: 'from', message: 'from (or sender) must name the sender' }]);
    expect(inboundMailOf({ from: 'a@b.c', text: 'a\u0000b' })).toEqual([{ field: 'text', message: 'text must not contain NUL or lone surrogates' }]);
  });

  it('parses header blocks, Message-ID lists and addresses', () => {
    expect(parseHeaderBlock('A: 1\nB: 2\n 3\nA: 4')).toEqual({ a: '1', b: '2 3' });
    expect(messageIds('<a@x>  <b@y>\n <c@z>')).toEqual(['<a@x>', '<b@y>', '<c@z>']);
    expect(normaliseMessageId(' a@x ')).toBe('<a@x>');
    expect(addressOf('"Santoso, Budi" <Budi@Example.com>')).toBe('budi@example.com');
    expect(addressOf('no address')).toBeUndefined();
  });
});
