import { mailResponse, parseMailResponse } from './mail-commands';

// The provider-format parsing moved to @crm/service-kit (libs/kit/service-kit/src/mail, shared with
// marketing's campaign replies); what stays here is the service's own sealed e-mail response.
describe('e-mail interaction response', () => {
  it('seals header lines and the text, and reads them back', () => {
    const r = mailResponse({ To: 'a@b.c', Subject: 'Re: x\r\ny' }, 'Hello\n\nBye');
    expect(parseMailResponse(r)).toEqual({ headers: { To: 'a@b.c', Subject: 'Re: x y' }, text: 'Hello\n\nBye' });
  });
});
