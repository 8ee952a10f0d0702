import Handlebars from 'handlebars';
import type { CampaignTemplate, MergeField } from '@crm/campaigns';

export type MergeValues = Record<MergeField, string>;

export interface RenderedMessage {
  subject?: string;
  text: string;
  html?: string;
}

/**
 * Fills a variant's template for one recipient with handlebars: HTML-escaped in the HTML body (a
 * customer called `<script>` stays text), as-is in the plain text and the subject (no markup there;
 * line breaks are taken out of the subject so a merge value cannot add a header). Templates only
 * hold plain known fields (checked when the campaign was defined), and an isolated handlebars
 * environment with no helpers compiles them, once per template.
 */
export class CampaignRenderer {
  private readonly handlebars = Handlebars.create();
  private readonly compiled = new Map<string, HandlebarsTemplateDelegate>();

  render(template: CampaignTemplate, values: MergeValues): RenderedMessage {
    return {
      ...(template.subject !== undefined && { subject: this.fill(template.subject, values, false).replace(/[\r\n]+/g, ' ') }),
      text: this.fill(template.text, values, false),
      ...(template.html !== undefined && { html: this.fill(template.html, values, true) }),
    };
  }

  private fill(source: string, values: MergeValues, escape: boolean): string {
    const key = `${escape ? 'h' : 't'}:${source}`;
    let fn = this.compiled.get(key);
    if (!fn) {
      fn = this.handlebars.compile(source, { noEscape: !escape, knownHelpersOnly: true, strict: false });
      if (this.compiled.size > 1000) this.compiled.clear();
      this.compiled.set(key, fn);
    }
    return fn({ ...values });
  }
}
