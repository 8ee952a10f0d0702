import { confirmationMessage, confirmPage, messagePage, preferencePage } from './consent-pages';

// The consent pages: every value escaped, every box labelled.
describe('consent pages', () => {
  it('the preference centre labels each box, groups channels, ticks what is granted, and escapes what it shows', () => {
    const html = preferencePage('tok"><script>x</script>', [
      { channel: 'email', purpose: 'newsletter', granted: true, awaiting: false },
      { channel: 'email', purpose: 'offers', granted: false, awaiting: true },
      { channel: 'sms', purpose: 'offers', granted: false, awaiting: false },
    ]);
    expect(html).toContain('<html lang="en">');
    expect(html).not.toContain('<script>');
    expect(html).toContain('action="?t=tok&quot;&gt;&lt;script&gt;x&lt;/script&gt;"');
    expect(html).toContain('<input type="checkbox" id="p-email-newsletter" name="on" value="email/newsletter" checked>');
    expect(html).toContain('<label for="p-email-newsletter">Newsletter</label>');
    expect(html).toContain('<input type="checkbox" id="p-email-offers" name="on" value="email/offers">');
    expect(html).toContain('(waiting for your confirmation)');
    expect(html.match(/<fieldset>/g)).toHaveLength(2);
    expect(html).toContain('<legend>Text messages (SMS)</legend>');
    expect(html).not.toContain('Phone calls');
  });

  it('the confirmation page has one button; a message page none; the e-mail escapes its link in HTML', () => {
    expect(confirmPage('abc', { channel: 'email', purpose: 'newsletter' }, 'Confirm', ['x'])).toContain('<button type="submit">Yes, I agree</button>');
    expect(confirmPage(undefined, undefined, 'Done', ['<b>'])).not.toContain('<button');
    expect(messagePage('Expired', ['<i>gone</i>'])).toContain('&lt;i&gt;gone&lt;/i&gt;');
    const m = confirmationMessage('https://crm.example.com/consent/confirm?t=a&b', { channel: 'email', purpose: 'newsletter' }, '2026-05-08T10:00:00.000Z');
    expect(m.html).toContain('href="https://crm.example.com/consent/confirm?t&#x3D;a&amp;b"');
    expect(m.text).toContain('Confirm here: https://crm.example.com/consent/confirm?t=a&b\n');
  });
});
