import { twiml, xmlEscape } from './twiml';

describe('TwiML', () => {
  it('escapes what XML would read as markup and drops what XML cannot carry', () => {
    expect(xmlEscape(`Tom & Jerry's <b>"deal"</b>`)).toBe('Tom &amp; Jerry&apos;s &lt;b&gt;&quot;deal&quot;&lt;/b&gt;');
    expect(xmlEscape('a\u0000b\u0007c\ud800d')).toBe('abcd');
    expect(xmlEscape('Grüße 🎉')).toBe('Grüße 🎉');
  });

  it('renders each verb of the subset', () => {
    expect(
      twiml([
        { gather: { numDigits: 1, action: 'https://crm.example/telephony/ivr?menu=main&path=1', say: 'Press 1 <now>' } },
        { say: 'Goodbye' },
        { enqueue: 'billing' },
        { redirect: 'https://crm.example/telephony/ivr?menu=main&path=' },
        { hangup: true },
      ]),
    ).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response>' +
        '<Gather numDigits="1" action="https://crm.example/telephony/ivr?menu=main&amp;path=1" method="POST"><Say>Press 1 &lt;now&gt;</Say></Gather>' +
        '<Say>Goodbye</Say><Enqueue>billing</Enqueue><Redirect method="POST">https://crm.example/telephony/ivr?menu=main&amp;path=</Redirect><Hangup/>' +
        '</Response>',
    );
  });
});
