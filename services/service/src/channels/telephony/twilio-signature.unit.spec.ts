import { twilioSignature, validTwilioSignature } from './twilio-signature';

describe('X-Twilio-Signature', () => {
  // Twilio's documented example ("Validating requests are coming from Twilio"): auth token 12345,
  // this URL and these parameters sign to 0/KCTR6DLpKmkAf8muzZqo1nDgQ=.
  const token = '12345';
  const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const params = { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' };

  it("signs as Twilio's documented example does", () => {
    expect(twilioSignature(token, url, params)).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
    expect(validTwilioSignature(token, url, params, '0/KCTR6DLpKmkAf8muzZqo1nDgQ=')).toBe(true);
  });

  it('refuses a missing signature, another token, another URL, a changed or added parameter', () => {
    const good = twilioSignature(token, url, params);
    expect(validTwilioSignature(token, url, params, undefined)).toBe(false);
    expect(validTwilioSignature('54321', url, params, good)).toBe(false);
    expect(validTwilioSignature(token, 'https://mycompany.com/myapp.php?foo=1&bar=3', params, good)).toBe(false);
    expect(validTwilioSignature(token, url, { ...params, Digits: '1235' }, good)).toBe(false);
    expect(validTwilioSignature(token, url, { ...params, AgentId: 'dewi' }, good)).toBe(false);
    expect(validTwilioSignature(token, url, params, good.slice(0, -2))).toBe(false);
  });

  it('signs a repeated parameter with each of its values, in order', () => {
    expect(twilioSignature(token, url, { A: ['1', '2'] })).toBe(twilioSignature(token, `${url}A1A2`, {}));
  });
});
