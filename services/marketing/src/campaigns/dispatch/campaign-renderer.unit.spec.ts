import { CampaignRenderer } from './campaign-renderer';

describe('campaign renderer', () => {
  const renderer = new CampaignRenderer();
  const values = { name: '<script>alert("x")</script> & Co', email: 'a@example.com', unsubscribeUrl: 'https://crm.example.com/unsubscribe?t=a&b' };

  it('escapes merge fields in the HTML body, leaves them as they are in the text', () => {
    const r = renderer.render(
      { subject: 'Hi {{name}}', text: 'Hi {{name}} {{unsubscribeUrl}}', html: '<p>Hi {{name}}</p><a href="{{unsubscribeUrl}}">x</a>' },
      values,
    );
    expect(r.html).toBe(
      '<p>Hi &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co</p><a href="https://crm.example.com/unsubscribe?t&#x3D;a&amp;b">x</a>',
    );
    expect(r.text).toBe('Hi <script>alert("x")</script> & Co https://crm.example.com/unsubscribe?t=a&b');
    expect(r.subject).toBe('Hi <script>alert("x")</script> & Co');
  });

  it('takes line breaks out of the subject, so a merge value cannot add a header', () => {
    expect(renderer.render({ subject: 'Hi {{name}}', text: 't' }, { ...values, name: 'Eve\r\nBcc: all@example.com' }).subject).toBe(
      'Hi Eve Bcc: all@example.com',
    );
  });

  it('leaves out what the template has not: no subject or HTML for an SMS', () => {
    expect(renderer.render({ text: 'Hello {{name}}' }, { ...values, name: 'Budi' })).toEqual({ text: 'Hello Budi' });
  });
});
