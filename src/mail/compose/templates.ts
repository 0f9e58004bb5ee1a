/**
 * `Email HTML Template` of Send Email HTML and Send Vote Email: the built-in template, or a user
 * template `NAME.html` from the integration's `Templates Folder` (CONTRACT.md §2). Placeholders
 * are `{{subject}}`, `{{content}}` and `{{vote}}` (the voting block, empty outside Send Vote
 * Email); the subject is escaped, the content sanitised, the vote block built by us. Nothing else
 * in a template is touched, and a template file never leaves its folder.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** The documented default of `Email HTML Template`: the built-in template. */
export const BUILT_IN_TEMPLATE = 'Email HTML Template';

const BUILT_IN_HTML = `<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{subject}}</title></head>
<body style="margin:0;padding:0;background-color:#f4f5f7;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background-color:#f4f5f7;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="640" cellpadding="0" cellspacing="0" style="max-width:640px;background-color:#ffffff;border:1px solid #dfe1e6;">
<tr><td style="padding:20px 24px;font-family:Segoe UI,Arial,sans-serif;font-size:18px;font-weight:600;color:#172b4d;border-bottom:1px solid #dfe1e6;">{{subject}}</td></tr>
<tr><td style="padding:20px 24px;font-family:Segoe UI,Arial,sans-serif;font-size:14px;line-height:1.5;color:#172b4d;">{{content}}</td></tr>
{{vote}}
</table>
</td></tr>
</table>
</body>
</html>
`;

export interface TemplateValues {
  /** Already escaped (escapeHtml). */
  subjectHtml: string;
  /** Already sanitised (sanitizeMailContent). */
  contentHtml: string;
  /** The voting block as HTML, or "". */
  voteHtml?: string;
}

/** A template that cannot be used: the action answers with its documented "HTML template was not specified". */
export class TemplateNotFoundError extends Error {
  override readonly name = 'TemplateNotFoundError';
  constructor(readonly templateName: string, reason: string) {
    super(`HTML template "${templateName}" ${reason}`);
  }
}

/** The names `Email HTML Template` offers: the built-in one, then the folder's `NAME.html` files. */
export async function templateNames(folder: string | undefined): Promise<string[]> {
  if (!folder) return [BUILT_IN_TEMPLATE];
  let files: string[] = [];
  try {
    files = (await readdir(folder, { withFileTypes: true })).filter((d) => d.isFile() && /\.html?$/i.test(d.name)).map((d) => d.name.replace(/\.html?$/i, ''));
  } catch {
    files = [];
  }
  return [BUILT_IN_TEMPLATE, ...files.filter((n) => n !== BUILT_IN_TEMPLATE).sort()];
}

/** The HTML of a template by its name (the built-in one needs no folder). */
export async function loadTemplate(name: string, folder: string | undefined): Promise<string> {
  const wanted = name.trim();
  if (wanted === '' ) throw new TemplateNotFoundError(name, 'is empty');
  if (wanted === BUILT_IN_TEMPLATE) return BUILT_IN_HTML;
  if (!folder) throw new TemplateNotFoundError(wanted, 'is not the built-in template and no "Templates Folder" is configured');
  // A name, not a path: the file must be one of the folder's own.
  const names = await templateNames(folder);
  const hit = names.find((n) => n === wanted) ?? names.find((n) => n.toLowerCase() === wanted.toLowerCase());
  if (!hit || hit === BUILT_IN_TEMPLATE) throw new TemplateNotFoundError(wanted, `is not in the Templates Folder "${folder}"`);
  for (const ext of ['.html', '.htm', '.HTML', '.HTM']) {
    const file = path.join(folder, `${hit}${ext}`);
    if (path.dirname(path.resolve(file)) !== path.resolve(folder)) break;
    try {
      return await readFile(file, 'utf8');
    } catch {
      continue;
    }
  }
  throw new TemplateNotFoundError(wanted, `could not be read from the Templates Folder "${folder}"`);
}

/** Fills `{{subject}}`, `{{content}}` and `{{vote}}` (names case-insensitive, spaces allowed inside the braces). */
export function fillTemplate(html: string, v: TemplateValues): string {
  const values: Record<string, string> = { subject: v.subjectHtml, content: v.contentHtml, vote: v.voteHtml ?? '' };
  let filled = html.replace(/\{\{\s*(subject|content|vote)\s*\}\}/gi, (_m, key: string) => values[key.toLowerCase()]);
  // A template without a content placeholder still carries the content, at the end of its body.
  if (!/\{\{\s*content\s*\}\}/i.test(html)) filled = /<\/body>/i.test(filled) ? filled.replace(/<\/body>/i, `${v.contentHtml}${v.voteHtml ?? ''}</body>`) : `${filled}${v.contentHtml}${v.voteHtml ?? ''}`;
  return filled;
}
