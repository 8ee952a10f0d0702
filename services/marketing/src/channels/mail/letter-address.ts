/** A contact's postal address as the customer record holds it (`country`: ISO 3166-1 alpha-2). */
export interface PostalAddress {
  readonly lines: readonly string[];
  readonly postalCode?: string;
  readonly locality: string;
  readonly region?: string;
  readonly country: string;
}

/** The parts of a customer the envelope is written from. */
export interface LetterAddressee {
  kind: 'person' | 'organisation';
  name: string;
  contacts: readonly { name: string; address?: PostalAddress }[];
}

/**
 * Where a letter goes, one line per element as the print house prints it (the mail channel's `to`):
 * the contact's name, the organisation, the street lines, postal code and locality, region, country.
 * The contact is the first one with a postal address — the rule the e-mail channel uses for its
 * contact (the first with an e-mail). `undefined` when no contact has one: the step is suppressed
 * with `no-address`. A person has no contacts (it is its own), so it has no postal address yet.
 */
export function letterAddress(customer: LetterAddressee): string[] | undefined {
  const contact = customer.contacts.find((c) => c.address);
  if (!contact?.address) return undefined;
  const a = contact.address;
  return [
    contact.name,
    ...(customer.kind === 'organisation' && customer.name !== contact.name ? [customer.name] : []),
    ...a.lines,
    [a.postalCode, a.locality].filter((part) => part !== undefined && part !== '').join(' '),
    ...(a.region ? [a.region] : []),
    a.country,
  ];
}
