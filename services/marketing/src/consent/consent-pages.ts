import Handlebars from 'handlebars';
import type { ConsentChannel } from '@crm/kernel';

/**
 * The customer-facing pages of consent (issue 13 §1): the preference centre and the double opt-in
 * confirmation, server-rendered. Handlebars escapes every value (`{{…}}`, never `{{{…}}}`): names
 * and purposes come from data. Each box has its label (`<label for>`), each group its `<fieldset>`
 * and `<legend>`, the language is declared, and the pages work without script or style sheets.
 */

/** The version of the preference centre's wording: the evidence ("the text shown") of what it records. Change it with the text. */
export const PREFERENCE_TEXT_VERSION = 'preference-centre-2026-05';
/** Purposes every preference centre offers on every channel, besides those the customer has a statement on. */
export const DEFAULT_PREFERENCE_PURPOSES = ['newsletter', 'offers'] as const;

export const CHANNEL_LABELS: Record<ConsentChannel, string> = {
  email: 'E-mail',
  sms: 'Text messages (SMS)',
  phone: 'Phone calls',
  mail: 'Letters by post',
};

export const purposeLabel = (purpose: string) => purpose.charAt(0).toUpperCase() + purpose.slice(1).replace(/-/g, ' ');

const LAYOUT = Handlebars.compile(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}fieldset{margin:1rem 0}button{font-size:1rem;padding:.5rem 1rem}.status{padding:.5rem;border:1px solid #686}</style>
</head>
<body>
<main>
<h1>{{title}}</h1>
{{#if status}}<p class="status" role="status">{{status}}</p>{{/if}}
{{#each paragraphs}}<p>{{this}}</p>
{{/each}}{{> body}}
</main>
</body>
</html>
`);

const PREFERENCES_BODY = Handlebars.compile(`<form method="post" action="?t={{token}}">
<p>Tick what we may contact you about. Untick anything to stop it; your choice applies before our next message.</p>
{{#each channels}}<fieldset>
<legend>{{label}}</legend>
{{#each permissions}}<div>
<input type="hidden" name="shown" value="{{key}}">
<input type="checkbox" id="{{id}}" name="on" value="{{key}}"{{#if granted}} checked{{/if}}>
<label for="{{id}}">{{label}}</label>{{#if awaiting}} <span>(waiting for your confirmation)</span>{{/if}}
</div>
{{/each}}</fieldset>
{{/each}}<p><small>Text version {{textVersion}}.</small></p>
<button type="submit">Save my choices</button>
</form>`);

const CONFIRM_BODY = Handlebars.compile(`{{#if token}}<form method="post" action="?t={{token}}">
<button type="submit">Yes, I agree</button>
</form>{{/if}}`);

const EMPTY = Handlebars.compile('');

function page(title: string, body: string, options: { status?: string; paragraphs?: string[] } = {}): string {
  return LAYOUT({ title, status: options.status, paragraphs: options.paragraphs ?? [] }, { partials: { body } });
}

export interface PreferenceRow {
  channel: ConsentChannel;
  purpose: string;
  granted: boolean;
  awaiting: boolean;
}

/** The preference centre: every channel with its purposes, each a labelled box ticked when granted. */
export function preferencePage(token: string, rows: readonly PreferenceRow[], status?: string): string {
  const channels = (Object.keys(CHANNEL_LABELS) as ConsentChannel[])
    .map((channel) => ({
      label: CHANNEL_LABELS[channel],
      permissions: rows
        .filter((r) => r.channel === channel)
        .map((r) => ({
          key: `${r.channel}/${r.purpose}`,
          id: `p-${r.channel}-${r.purpose}`,
          label: purposeLabel(r.purpose),
          granted: r.granted,
          awaiting: r.awaiting,
        })),
    }))
    .filter((c) => c.permissions.length > 0);
  return page('Your contact preferences', PREFERENCES_BODY({ token, channels, textVersion: PREFERENCE_TEXT_VERSION }), { status });
}

/** The double opt-in page: what is asked, and one button (a GET never confirms: link scanners fetch links). */
export function confirmPage(token: string | undefined, what: { channel: ConsentChannel; purpose: string } | undefined, title: string, text: string[]): string {
  const paragraphs = what ? [`${purposeLabel(what.purpose)} by ${CHANNEL_LABELS[what.channel].toLowerCase()}.`, ...text] : text;
  return page(title, CONFIRM_BODY({ token }), { paragraphs });
}

/** A page that only tells something (a link that is not valid, or expired). */
export function messagePage(title: string, text: string[]): string {
  return page(title, EMPTY({}), { paragraphs: text });
}

const CONFIRMATION_TEXT = Handlebars.compile(
  `Hello,

please confirm that we may contact you: {{what}}.

Confirm here: {{link}}

The link works until {{expiresAt}}. If you did not ask for this, ignore this message: nothing happens without your confirmation.
`,
  // Plain text is not HTML: nothing to escape (an `&` in the link stays an `&`).
  { noEscape: true },
);

const CONFIRMATION_HTML = Handlebars.compile(`<!doctype html><html lang="en"><body>
<p>Hello,</p>
<p>please confirm that we may contact you: {{what}}.</p>
<p><a href="{{link}}">Confirm</a></p>
<p>The link works until {{expiresAt}}. If you did not ask for this, ignore this message: nothing happens without your confirmation.</p>
</body></html>`);

/** The double opt-in message: text and HTML, the link HTML-escaped in the HTML part. */
export function confirmationMessage(link: string, what: { channel: ConsentChannel; purpose: string }, expiresAt: string) {
  const data = { link, what: `${purposeLabel(what.purpose)} by ${CHANNEL_LABELS[what.channel].toLowerCase()}`, expiresAt };
  return { subject: 'Please confirm your subscription', text: CONFIRMATION_TEXT(data), html: CONFIRMATION_HTML(data) };
}
