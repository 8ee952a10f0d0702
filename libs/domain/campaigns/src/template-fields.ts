import { DomainRuleViolation } from '@crm/kernel';

/**
 * The merge fields a campaign template may use, filled per recipient at send time from the customer
 * directory and the consent links: `{{name}}` (the customer's name), `{{email}}` (its first
 * contact's e-mail), `{{unsubscribeUrl}}` (the one-click link of the message). Nothing else: an
 * unknown field would render empty in front of 10,000 customers, so it is refused when the campaign
 * is defined, not discovered when it sends.
 */
export const MERGE_FIELDS = ['name', 'email', 'unsubscribeUrl'] as const;
export type MergeField = (typeof MERGE_FIELDS)[number];

/**
 * Only plain `{{field}}` placeholders: the renderer (handlebars) HTML-escapes them in the HTML body.
 * Triple braces (`{{{field}}}`, unescaped), block helpers (`{{#if}}`), partials and comments would let
 * a template writer turn the escaping off or run logic, so any other mustache is refused.
 */
const MUSTACHE = /\{\{\{?[\s\S]*?\}?\}\}/g;
const PLAIN_FIELD = /^\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}$/;

/** The fields a template text uses; throws `campaign-template` for a placeholder that is not a plain known field. */
export function mergeFieldsOf(text: string, where: string): MergeField[] {
  const fields = new Set<MergeField>();
  for (const match of text.match(MUSTACHE) ?? []) {
    const plain = PLAIN_FIELD.exec(match);
    if (!plain)
      throw new DomainRuleViolation('campaign-template', `${where}: ${match.slice(0, 40)} is not a plain merge field ({{${MERGE_FIELDS.join('}}, {{')}}})`);
    if (!(MERGE_FIELDS as readonly string[]).includes(plain[1]))
      throw new DomainRuleViolation('campaign-template', `${where}: unknown merge field {{${plain[1]}}} (known: ${MERGE_FIELDS.join(', ')})`);
    fields.add(plain[1] as MergeField);
  }
  // A lone `{{` or `}}` would be read by the renderer as the start of something else.
  const rest = text.replace(MUSTACHE, '');
  if (rest.includes('{{') || rest.includes('}}')) throw new DomainRuleViolation('campaign-template', `${where}: an unclosed {{ or a stray }}`);
  return [...fields];
}
