/**
 * Output-message templates. A template is the documented text with each UPPER_CASE placeholder
 * wrapped in braces ("Failed to find email with ID {ID} in {MAILBOX}."), so that a placeholder
 * spelled like an ordinary word ("with ID ID") is unambiguous and removing the braces gives the
 * documented text back for the contract test.
 */
export type MessageTable = Readonly<Record<string, string>>;

const PLACEHOLDER = /\{([A-Z][A-Z0-9_]*)\}/g;

export type MessageValues = Record<string, string | number | readonly (string | number)[]>;

/** Fill a template. Lists are joined with ", ". A missing value is a programming error. */
export function renderMessage(template: string, values: MessageValues = {}): string {
  return template.replace(PLACEHOLDER, (_, key: string) => {
    const v = values[key];
    if (v === undefined) throw new Error(`Message placeholder ${key} has no value in "${template}".`);
    return Array.isArray(v) ? v.join(', ') : String(v);
  });
}

/** The documented text of a template (placeholders without braces). */
export function documentedText(template: string): string {
  return template.replace(PLACEHOLDER, '$1');
}

export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]);
}
