/** A postal address as the customer record holds it (`country`: ISO 3166-1 alpha-2). */
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
  /** The customer's own postal address: a person's home, an organisation's office. */
  address?: PostalAddress;
}

/**
 * Where a letter goes, one line per element as the print house prints it (the mail channel's `to`):
 * the addressee's name, the organisation, the street lines, postal code and locality, region, country.
 *
 * - A person: its own address, addressed to the person (a person has no contacts: it is its own).
 * - An organisation: the first contact with a postal address — the rule the e-mail channel uses for
 *   its contact (the first with an e-mail) — addressed to the contact at the organisation; failing
 *   that, the organisation's own address, addressed to the organisation. A named person reads a
 *   letter sooner than a mail room, so a contact comes first.
 *
 * `undefined` when there is none: the step is suppressed with `no-address`.
 */
export function letterAddress(customer: LetterAddressee): string[] | undefined {
  if (customer.kind === 'person') return customer.address && envelope([customer.name], customer.address);
  const contact = customer.contacts.find((c) => c.address);
  if (contact?.address) return envelope([contact.name, ...(customer.name !== contact.name ? [customer.name] : [])], contact.address);
  return customer.address && envelope([customer.name], customer.address);
}

function envelope(names: string[], a: PostalAddress): string[] {
  return [
    ...names,
    ...a.lines,
    [a.postalCode, a.locality].filter((part) => part !== undefined && part !== '').join(' '),
    ...(a.region ? [a.region] : []),
    a.country,
  ];
}
