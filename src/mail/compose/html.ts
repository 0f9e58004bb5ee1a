/**
 * HTML that goes out in an email: text escaped where it is text (a subject, a name, whatever a
 * SOAR placeholder pulled from a case), and `Mail Content`, which may hold HTML on purpose,
 * sanitised by sanitize-html (pinned 2.17.5: later releases need Node 22) to what a mail client
 * shows: no script, no event handlers, no javascript: or data: links, no forms or frames.
 */
import { createRequire } from 'node:module';
import type SanitizeHtml from 'sanitize-html';

// Loaded by the first email composed, not by every start of the CLI.
const require = createRequire(import.meta.url);
let sanitizer: typeof SanitizeHtml | undefined;
const engine = (): typeof SanitizeHtml => (sanitizer ??= require('sanitize-html') as typeof SanitizeHtml);

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML text or attribute value: nothing in it can open a tag or leave an attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Plain text as HTML paragraphs (line breaks kept). */
export function textToHtml(text: string): string {
  return escapeHtml(text).replace(/\r\n|\r|\n/g, '<br>\n');
}

/** Inline style properties a mail layout needs; values with url(...), expression(...) or a backslash are dropped. */
const STYLE_PROPERTIES = [
  'color', 'background-color', 'font-family', 'font-size', 'font-weight', 'font-style', 'text-align', 'text-decoration',
  'line-height', 'margin', 'margin-top', 'margin-bottom', 'margin-left', 'margin-right', 'padding', 'padding-top',
  'padding-bottom', 'padding-left', 'padding-right', 'border', 'border-collapse', 'border-color', 'border-style',
  'border-width', 'border-radius', 'width', 'max-width', 'height', 'vertical-align', 'display',
];
const SAFE_STYLE_VALUE = /^(?![\s\S]*(?:url\s*\(|expression\s*\(|\\|javascript:))[\s\S]{0,200}$/i;

/** `Mail Content` made safe to send: the HTML a SOC writes (links, tables, images by https or cid:) stays. */
export function sanitizeMailContent(html: string): string {
  const s = engine();
  return s(html, {
    allowedTags: [...s.defaults.allowedTags, 'img', 'span', 'font', 'center', 'h1', 'h2', 'del', 'ins', 'sub', 'sup', 'u'],
    allowedAttributes: {
      '*': ['style', 'align', 'dir', 'lang', 'title', 'class'],
      a: ['href', 'name', 'target', 'rel'],
      img: ['src', 'alt', 'width', 'height'],
      table: ['width', 'cellpadding', 'cellspacing', 'border', 'bgcolor'],
      td: ['width', 'colspan', 'rowspan', 'valign', 'bgcolor'],
      th: ['width', 'colspan', 'rowspan', 'valign', 'bgcolor'],
      font: ['color', 'face', 'size'],
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['http', 'https', 'cid'] },
    allowProtocolRelative: false,
    allowedStyles: { '*': Object.fromEntries(STYLE_PROPERTIES.map((p) => [p, [SAFE_STYLE_VALUE]])) },
    // Anything dropped loses its markup, not its text: a reader still sees what was written.
    disallowedTagsMode: 'discard',
  });
}
