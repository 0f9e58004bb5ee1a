/** Parses corpus files one at a time for corpus.test.ts, in a worker so that a hang can be cut off. */
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { parseMailFile, type ParsedMail } from '../../src/mail/parse/index.ts';

export interface Summary {
  type: string;
  subject: string;
  from: string | null;
  fromName: string | null;
  to: Array<{ name: string; address: string }>;
  cc: Array<{ name: string; address: string }>;
  bcc: Array<{ name: string; address: string }>;
  text: string;
  htmlLength: number;
  attachments: Array<{ name: string; size: number; contentType: string; nestedIndex?: number }>;
  events: number | null;
  warnings: string[];
  nested: Summary[];
}

function summarise(p: ParsedMail): Summary {
  return {
    type: p.type,
    subject: p.subject,
    from: p.from?.address ?? null,
    fromName: p.from?.name ?? null,
    to: p.to,
    cc: p.cc,
    bcc: p.bcc,
    text: p.text,
    htmlLength: p.html.length,
    attachments: p.attachments.map((a) => ({ name: a.name, size: a.size, contentType: a.contentType, nestedIndex: a.nestedIndex })),
    events: p.events ? p.events.length : null,
    warnings: p.warnings,
    nested: p.nested.map(summarise),
  };
}

parentPort!.on('message', async (msg: { id: number; path: string; name: string }) => {
  try {
    const parsed = await parseMailFile(readFileSync(msg.path), { fileName: msg.name });
    parentPort!.postMessage({ id: msg.id, ok: true, summary: summarise(parsed) });
  } catch (err) {
    const e = err as Error & { code?: string; fileName?: string };
    parentPort!.postMessage({ id: msg.id, ok: false, error: { name: e.name, code: e.code, fileName: e.fileName, message: e.message } });
  }
});
