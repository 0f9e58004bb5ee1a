/**
 * One fetched email to the alerts the SOAR expects (CONTRACT.md §4), by the conventions of the
 * original integration (docs/connector.md lists each with its source): the received email as the
 * first event (`orig_` keys), each attached .eml / .msg / .ics as events of its own (`attach_`
 * keys) or as alerts of their own, names from the templates, the environment from its field.
 */
import { createHash } from 'node:crypto';
import type { MailAddress, ParsedMail } from '../mail/parse/index.ts';
import { emlFileName } from '../mail/destinations/safe-name.ts';
import { decodeHtmlReferences } from '../mail/html-references.ts';
import type { ConnectorConfig } from './params.ts';
import { flattenInto, flattenRecipients, withPrefix, type FlatEvent } from './flatten.ts';

export const DEVICE_VENDOR = 'Microsoft';
export const DEVICE_PRODUCT = 'Graph Mail';
/** The SOAR's Low (INFO -1, LOW 40, MEDIUM 60, HIGH 80, CRITICAL 100), as the original sends. */
export const PRIORITY = 40;
export const RECEIVED_EVENT = 'Email Received in Monitoring Mailbox';
export const ATTACHED_EVENT = 'Attached Email File';

export interface AlertAttachment {
  name: string;
  /** The file extension with its dot (`.pdf`, `.eml`), as the SOAR's case attachments carry it. */
  type: string;
  content_base64: string;
}

export interface Alert {
  name: string;
  rule_generator: string;
  ticket_id: string;
  display_id: string;
  environment: string;
  device_vendor: string;
  device_product: string;
  priority: number;
  /** ms since the epoch: the email's receivedDateTime. */
  start_time: number;
  end_time: number;
  events: FlatEvent[];
  attachments: AlertAttachment[];
  /** Graph id (immutable) of the email. */
  source_message_id: string;
  /** internetMessageId of the email (the original's alert `identifier`). */
  identifier: string;
  extensions: Record<string, string>;
}

/** The fields of a received email the connector reads (its $select). */
export interface ReceivedEmail {
  id: string;
  subject?: string | null;
  receivedDateTime: string;
  internetMessageId?: string | null;
  [field: string]: unknown;
}

/** An attached mail file, parsed or not. */
export interface AttachedMailFile {
  name: string;
  parsed?: ParsedMail;
  /** Why it could not be read or parsed. */
  error?: string;
}

/** What the connector learned of one email before mapping it. */
export interface FetchedEmail {
  message: ReceivedEmail;
  /** The folder as configured. */
  folder: string;
  attachedMail: AttachedMailFile[];
  /** Other file attachments for the case (bytes read), and those left out with the reason. */
  files: Array<{ name: string; bytes: Uint8Array }>;
  skippedFiles: Array<{ name: string; reason: string }>;
  /** The MIME of the email (`Attach Original EML`). */
  mime?: Uint8Array;
  /** Problems met while reading the email: recorded in its event, never blocking it. */
  errors: string[];
}

function alertId(mailbox: string, messageId: string, index: number): string {
  const h = createHash('sha256').update(`${mailbox.toLowerCase()}\n${messageId}\n${index}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The file's extension with its dot, or "" (`os.path.splitext`). */
export function extensionOf(name: string): string {
  const base = name.replace(/^.*[\\/]/, '');
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot) : '';
}

/**
 * `[field]` placeholders filled from the event (the key as written, then with the prefix added,
 * so `[subject]` and `[orig_subject]` both work); a missing key gives "". An unbalanced bracket or
 * an empty result is an invalid template: null, so the caller uses the default name.
 */
export function fillTemplate(template: string | null, event: FlatEvent, prefix: string): string | null {
  if (!template) return null;
  let depth = 0;
  for (const ch of template) {
    if (ch === '[') depth++;
    else if (ch === ']') depth--;
    if (depth < 0 || depth > 1) return null;
  }
  if (depth !== 0) return null;
  const filled = template.replace(/\[([^[\]]*)\]/g, (_m, key: string) => event[key] ?? (prefix ? event[`${prefix}_${key}`] : undefined) ?? '');
  return filled.trim() === '' ? null : filled.trim();
}

/** The environment: the field's value (prefixed name first), through the regex (its whole first match; no match keeps the value). */
export function environmentOf(event: FlatEvent, config: Pick<ConnectorConfig, 'environmentField' | 'environmentRegex' | 'origPrefix'>): string {
  if (!config.environmentField || !config.environmentRegex) return '';
  const f = config.environmentField;
  const value = event[f] ?? (config.origPrefix ? event[`${config.origPrefix}_${f}`] : undefined) ?? '';
  if (value === '') return '';
  const hit = config.environmentRegex.findAll(value, 1)[0];
  return hit ?? value;
}

function recipients(list: readonly MailAddress[]): Array<{ emailAddress: { name: string; address: string } }> {
  return list.map((a) => ({ emailAddress: { name: a.name, address: a.address } }));
}

/** Dynamic list hits (`url_1`, `url_2`, ...): body first (HTML with its character references
 * decoded, so link targets read as written), then subject, de-duplicated in order. */
function dynamicHits(config: Pick<ConnectorConfig, 'dynamicList'>, body: string, subject: string): FlatEvent {
  const out: FlatEvent = {};
  const text = decodeHtmlReferences(body);
  for (const rule of config.dynamicList) {
    const hits = [...new Set([...rule.regex.findAll(text, 500), ...rule.regex.findAll(subject, 500)])];
    hits.forEach((h, i) => (out[`${rule.name}_${i + 1}`] = h));
  }
  return out;
}

function headersInto(event: FlatEvent, headers: ReadonlyArray<{ name?: string | null; value?: string | null }>, config: Pick<ConnectorConfig, 'headers'>): void {
  if (config.headers.length === 0) return;
  const byName = new Map<string, string[]>();
  for (const h of headers) {
    const name = h.name ?? '';
    if (!config.headers.some((r) => r.matches(name))) continue;
    byName.set(name, [...(byName.get(name) ?? []), h.value ?? '']);
  }
  for (const [name, values] of byName) values.forEach((v, i) => (event[`internetMessageHeaders_${name}_${i + 1}`] = v));
}

/** Keys the SOAR reads as they are: never prefixed. */
export function ownKeys(config: Pick<ConnectorConfig, 'productField' | 'eventField'>): Set<string> {
  return new Set([config.productField, config.eventField, 'device_vendor', 'monitored_mailbox_name', 'email_folder', 'original_email_id', 'custom_case_name', 'connector_errors']);
}

const RECIPIENT_LISTS = ['toRecipients', 'ccRecipients', 'bccRecipients', 'replyTo'] as const;
const SKIP_FIELDS = new Set(['toRecipients', 'ccRecipients', 'bccRecipients', 'replyTo', 'internetMessageHeaders', '@odata.etag', 'attachments']);

/** The received email as its unprefixed event. */
function receivedEvent(e: FetchedEmail, config: ConnectorConfig): FlatEvent {
  const m = e.message;
  const event: FlatEvent = {};
  for (const [k, v] of Object.entries(m)) if (!SKIP_FIELDS.has(k)) flattenInto(event, k, v);
  for (const k of RECIPIENT_LISTS) flattenRecipients(event, k, m[k] as never);
  headersInto(event, (m.internetMessageHeaders as Array<{ name?: string; value?: string }> | undefined) ?? [], config);
  const names = [...e.attachedMail.map((a) => a.name), ...e.files.map((f) => f.name), ...e.skippedFiles.map((f) => f.name)];
  names.forEach((n, i) => (event[`attachments_${i + 1}_name`] = n));
  const body = (m.body as { content?: string } | undefined)?.content ?? '';
  Object.assign(event, dynamicHits(config, body, m.subject ?? ''));
  event[config.eventField] = RECEIVED_EVENT;
  event[config.productField] = DEVICE_PRODUCT;
  event.device_vendor = DEVICE_VENDOR;
  event.monitored_mailbox_name = config.mailbox;
  event.email_folder = e.folder;
  const errors = [...e.errors, ...e.skippedFiles.map((f) => `${f.name}: ${f.reason}`), ...e.attachedMail.filter((a) => a.error).map((a) => `${a.name}: ${a.error}`)];
  if (errors.length > 0) event.connector_errors = errors.join('; ');
  return event;
}

/** The events of one attached mail file (and of the mail files inside it), unprefixed. */
function attachedEvents(file: ParsedMail, parentId: string, folder: string, config: ConnectorConfig): FlatEvent[] {
  const own = (event: FlatEvent): FlatEvent => {
    event[config.eventField] = ATTACHED_EVENT;
    event[config.productField] = DEVICE_PRODUCT;
    event.device_vendor = DEVICE_VENDOR;
    event.monitored_mailbox_name = config.mailbox;
    event.email_folder = folder;
    event.original_email_id = parentId;
    return event;
  };
  const out: FlatEvent[] = [];
  const shapes: Array<Record<string, unknown>> =
    file.type === 'ics' && file.events && file.events.length > 0
      ? file.events.map((ev) => ({
          file_name: file.fileName,
          subject: ev.summary,
          body: { contentType: ev.html ? 'html' : 'text', content: ev.html || ev.description },
          from: ev.organizer ? { emailAddress: ev.organizer } : null,
          toRecipients: recipients(ev.attendees),
          location: ev.location,
          start: ev.start,
          end: ev.end,
          uid: ev.uid,
          url: ev.url,
        }))
      : [
          {
            file_name: file.fileName,
            file_type: file.type,
            subject: file.subject,
            from: file.from ? { emailAddress: file.from } : null,
            sender: file.sender ? { emailAddress: file.sender } : null,
            replyTo: recipients(file.replyTo),
            toRecipients: recipients(file.to),
            ccRecipients: recipients(file.cc),
            bccRecipients: recipients(file.bcc),
            date: file.date,
            receivedDateTime: file.dateIso ?? '',
            internetMessageId: file.headers.find((h) => h.name.toLowerCase() === 'message-id')?.value ?? '',
            body: { contentType: file.html ? 'html' : 'text', content: file.html || file.text },
            attachments: file.attachments.map((a) => ({ name: a.name, contentType: a.contentType, size: a.size, md5: a.md5, sha256: a.sha256 })),
            warnings: file.warnings,
          },
        ];
  for (const shape of shapes) {
    const event: FlatEvent = {};
    for (const [k, v] of Object.entries(shape)) if (!RECIPIENT_LISTS.includes(k as never)) flattenInto(event, k, v);
    for (const k of RECIPIENT_LISTS) flattenRecipients(event, k, shape[k] as never);
    if (file.type !== 'ics') headersInto(event, file.headers, config);
    const body = (shape.body as { content: string }).content;
    Object.assign(event, dynamicHits(config, body, String(shape.subject ?? '')));
    out.push(own(event));
  }
  for (const child of file.nested) out.push(...attachedEvents(child, parentId, folder, config));
  return out;
}

function receivedMs(m: ReceivedEmail): number {
  const t = Date.parse(m.receivedDateTime);
  return Number.isFinite(t) ? t : 0;
}


/** The alerts of one email: one, or one plus one per attached mail file when asked. */
export function alertsOf(e: FetchedEmail, config: ConnectorConfig): Alert[] {
  const own = ownKeys(config);
  const m = e.message;
  const first = receivedEvent(e, config);
  const caseName = fillTemplate(config.caseNameTemplate, first, '');
  if (caseName) first.custom_case_name = caseName;
  const origEvent = withPrefix(first, config.origPrefix, own);
  const attached = e.attachedMail.flatMap((a) => (a.parsed ? [attachedEvents(a.parsed, m.id, e.folder, config)] : []));
  const at = receivedMs(m);
  const defaultName = `Microsoft Graph Monitored Mailbox <${config.mailbox}>`;

  const make = (events: FlatEvent[], index: number, extras: Pick<Alert, 'attachments'>): Alert => {
    const name = fillTemplate(config.alertNameTemplate, { ...first, ...events[0] }, config.origPrefix) ?? defaultName;
    const id = alertId(config.mailbox, m.id, index);
    return {
      name,
      rule_generator: name,
      ticket_id: id,
      display_id: id,
      environment: environmentOf(events[0], config),
      device_vendor: DEVICE_VENDOR,
      device_product: events[0][config.productField] || DEVICE_PRODUCT,
      priority: PRIORITY,
      start_time: at,
      end_time: at,
      events,
      attachments: extras.attachments,
      source_message_id: m.id,
      identifier: m.internetMessageId ?? '',
      extensions: {},
    };
  };

  const files: AlertAttachment[] = e.files.map((f) => ({ name: f.name, type: extensionOf(f.name), content_base64: Buffer.from(f.bytes).toString('base64') }));
  if (config.attachOriginalEml && e.mime) files.push({ name: emlFileName(m.subject, 'Unnamed'), type: '.eml', content_base64: Buffer.from(e.mime).toString('base64') });
  const attachedFlat = attached.map((events) => events.map((ev) => withPrefix(ev, config.attachPrefix, own)));
  if (!config.alertPerAttachedMail) return [make([origEvent, ...attachedFlat.flat()], 0, { attachments: files })];
  return [
    make([origEvent], 0, { attachments: files }),
    ...attachedFlat.map((events, i) => make([...events, origEvent], i + 1, { attachments: [] })),
  ];
}
