/**
 * The connector's `--config FILE` (CONTRACT.md §2): the 28 documented parameters of
 * spec/contract.json (`connector`), plus the keys beyond the docs (`Dynamic List`, `Alerts Webhook
 * URL`, `Alerts Webhook Secret`, `Verify SSL`). Read into one typed, validated ConnectorConfig;
 * every error names the parameter, no error echoes a secret.
 */
import { REDACTED } from '../graph/redact.ts';
import { compileUserRegex, UserRegexError, type UserRegex } from '../mail/regex.ts';
import { asHttpUrl, proxySettings, resolveConfigValues, type ConfigValue, type ResolveOptions } from '../soar/config.ts';
import { InputError } from '../soar/errors.ts';
import type { ParamSchema } from '../soar/params.ts';

const p = (name: string, required: boolean, def: string | null, type: ParamSchema['type'], description: string, extra: Partial<ParamSchema> = {}): ParamSchema => ({
  name,
  required,
  default: def,
  type,
  options: null,
  description,
  ...extra,
});

/** As documented (spec/contract.json `connector.params`, same order); test/connector/params.test.ts compares. */
export const CONNECTOR_PARAMS: readonly ParamSchema[] = [
  p('Product Field Name', true, 'device_product', 'string', 'The name of the field where the product name is stored.'),
  p('Event Field Name', true, 'event_name', 'string', 'The field name used to determine the event name (subtype).'),
  p('Environment Field Name', false, null, 'string', 'The name of the field where the environment name is stored.'),
  p('Environment Regex Pattern', false, '.*', 'string', 'A regular expression pattern to run on the value found in the Environment Field Name field.'),
  p('Email exclude pattern', false, null, 'string', 'A regular expression to exclude specific emails from ingestion, such as spam or news.'),
  p('Script Timeout (Seconds)', true, '300', 'string', 'The timeout limit (in seconds) for the Python process running the current script.', { format: 'integer', min: 1, max: 86_400 }),
  p('Azure AD endpoint', true, 'https://login.microsoftonline.com', 'string', 'The Microsoft Entra endpoint to connect to.'),
  p('Microsoft Graph Endpoint', true, 'https://graph.microsoft.com', 'string', 'The Microsoft Graph endpoint to connect to.'),
  p('Client ID', true, null, 'string', 'An application (client) ID of the Microsoft Entra app that is used in the integration.'),
  p('Client Secret', true, null, 'password', 'The client secret provided for the auth flow.'),
  p('Tenant (Directory) ID', true, null, 'string', 'The tenant (directory) ID of the Microsoft Entra app used in the integration.'),
  p('Mail Address', true, null, 'string', 'An email address for the connector to use.'),
  p('Folder to check for emails', true, 'Inbox', 'string', 'An email folder to search for the emails (comma-separated list, case-sensitive).'),
  p('Offset Time In Hours', true, '24', 'string', 'The number of hours before now to fetch emails from.', { format: 'integer', min: 0, max: 438_000 }),
  p('Max Emails Per Cycle', true, '10', 'string', 'The number of emails to fetch for every connector iteration.', { format: 'integer', min: 1, max: 10_000 }),
  p('Unread Emails Only', false, 'false', 'boolean', 'If selected, the connector creates cases only from unread emails.'),
  p('Mark Emails as Read', false, 'false', 'boolean', 'If selected, the connector marks emails as read after ingesting.'),
  p('Disable Overflow', false, 'false', 'boolean', 'If selected, the connector ignores the overflow mechanism.'),
  p('Original Received Mail Prefix', false, 'orig', 'string', 'A prefix to add to the extracted event keys from the original email received in the monitored mailbox.'),
  p('Attached Mail File Prefix', false, 'attach', 'string', 'A prefix to add to the extracted event keys from the attached email file received in the monitored mailbox.'),
  p('Attach Original EML', false, 'false', 'boolean', 'If selected, the connector attaches the original email to the case info as an EML file.'),
  p('Headers to add to events', false, null, 'string', 'A comma-separated string specifying which email headers to add to events (exact names or regular expressions).'),
  p('Proxy Server Address', false, null, 'string', 'The address of the proxy server to use.'),
  p('Proxy Username', false, null, 'string', 'The proxy username to authenticate with.'),
  p('Proxy Password', false, null, 'password', 'The proxy password to authenticate with.'),
  p('Create a Separate Siemplify Alert per Attached Mail File', false, 'false', 'boolean', 'If selected, the connector creates multiple alerts, with one alert for every attached email file.'),
  p('Case Name Template', false, null, 'string', 'A custom case name ([field] placeholders from the first event).'),
  p('Alert Name Template', false, null, 'string', 'A custom alert name ([field] placeholders from the first event).'),
];

/** Keys beyond the docs (CONTRACT.md §2; README lists each with its default). */
export const CONNECTOR_EXTRA_PARAMS: readonly ParamSchema[] = [
  p('Alerts Webhook URL', false, null, 'string', 'Deliver each committed alert by POST to this URL (HTTPS, or plain HTTP to a loopback address).'),
  p('Alerts Webhook Secret', false, null, 'password', 'HMAC-SHA256 key of the X-Signature-256 header of webhook deliveries.'),
  p('Verify SSL', false, 'true', 'boolean', 'Verify the TLS certificates of Microsoft Graph and Entra (and of the webhook).'),
];

/** `Dynamic List`: an array of "name: regex" strings, read apart because its value is an array. */
export const DYNAMIC_LIST = 'Dynamic List';

/**
 * The URL rule used when no `Dynamic List` is configured ("By default, the connector uses a
 * regular expression to filter out the URLs from the email"): http(s) and www. links, up to the
 * first character that cannot be part of a URL.
 */
export const DEFAULT_URL_RULE = String.raw`url: (?i)(?:https?://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+`;

export interface DynamicRule {
  name: string;
  regex: UserRegex;
}

export interface HeaderRule {
  /** As written. */
  text: string;
  matches(headerName: string): boolean;
}

export interface ConnectorConfig {
  productField: string;
  eventField: string;
  environmentField: string | null;
  /** null when the pattern is empty (the environment is then ""). */
  environmentRegex: UserRegex | null;
  excludeRegex: UserRegex | null;
  scriptTimeoutSeconds: number;
  azureAdEndpoint: string;
  graphEndpoint: string;
  clientId: string;
  clientSecret: string;
  tenant: string;
  mailbox: string;
  /** Distinct folder paths, as written (case-sensitive). */
  folders: string[];
  offsetHours: number;
  maxEmailsPerCycle: number;
  unreadOnly: boolean;
  markAsRead: boolean;
  disableOverflow: boolean;
  origPrefix: string;
  attachPrefix: string;
  attachOriginalEml: boolean;
  headers: HeaderRule[];
  proxy?: { address: string; username?: string; password?: string };
  alertPerAttachedMail: boolean;
  caseNameTemplate: string | null;
  alertNameTemplate: string | null;
  dynamicList: DynamicRule[];
  webhook?: { url: string; secret?: string };
  verifySsl: boolean;
}


function text(values: Map<string, ConfigValue>, param: ParamSchema): string {
  const v = values.get(param.name) ?? null;
  if (v === null) return param.default ?? '';
  if (typeof v === 'boolean') throw new InputError(`Invalid value for "${param.name}" in the config file: expected a string, got a boolean.`, param.name);
  const t = String(v).trim();
  return t === '' ? (param.default ?? '') : t;
}

function required(values: Map<string, ConfigValue>, param: ParamSchema): string {
  const t = text(values, param);
  if (t === '') throw new InputError(`${param.name} is empty: set "${param.name}" in the config file.`, param.name);
  return t;
}

function bool(values: Map<string, ConfigValue>, param: ParamSchema): boolean {
  const v = values.get(param.name) ?? null;
  if (v === null || v === '') return param.default === 'true';
  if (typeof v === 'boolean') return v;
  const t = String(v).trim().toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  throw new InputError(`Invalid value for "${param.name}" in the config file: expected true or false, got "${String(v)}".`, param.name);
}

/** A number within the schema's range (offsets up to 50 years, cycles up to 10,000 emails, timeouts up to a day). */
function number(values: Map<string, ConfigValue>, param: ParamSchema, o: { integer: boolean; unit: string }): number {
  const min = param.min ?? 0;
  const max = param.max ?? Number.MAX_SAFE_INTEGER;
  const t = required(values, param);
  const n = Number(t);
  const ok = /^\s*\d+(\.\d+)?\s*$/.test(t) && Number.isFinite(n) && (!o.integer || Number.isInteger(n)) && n >= min && n <= max;
  if (!ok) {
    throw new InputError(`Invalid value for "${param.name}": expected ${o.integer ? 'a whole number' : 'a number'} of ${o.unit} from ${min} to ${max}, got "${t}".`, param.name);
  }
  return n;
}

/** The webhook URL: http(s), no credentials; a path and query allowed. */
function webhookUrl(param: ParamSchema, t: string): string {
  let u: URL | undefined;
  try {
    u = new URL(t);
  } catch {
    u = undefined;
  }
  if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:') || !u.hostname || u.username || u.password) {
    throw new InputError(`Invalid value for "${param.name}": expected an http(s) URL such as ${param.default ?? 'https://host'}, got "${t.replace(/\/\/[^/@]*@/, '//***@')}".`, param.name);
  }
  return t;
}

function regex(param: ParamSchema, pattern: string, key: string | null = null, caseInsensitive = false): UserRegex {
  try {
    return compileUserRegex(pattern, { parameter: param.name, key, caseInsensitive });
  } catch (err) {
    if (err instanceof UserRegexError) throw new InputError(err.message, param.name);
    throw err;
  }
}

function prefix(values: Map<string, ConfigValue>, param: ParamSchema): string {
  const v = values.get(param.name);
  // An explicit empty string means no prefix; absent means the default.
  const t = v === undefined || v === null ? (param.default ?? '') : String(v).trim();
  if (/\s/.test(t)) throw new InputError(`Invalid value for "${param.name}": a prefix cannot contain spaces, got "${t}".`, param.name);
  return t;
}

/** "name: regex" rows; `name` a plain word (it becomes an event key). */
function dynamicList(raw: unknown): DynamicRule[] {
  const param = p(DYNAMIC_LIST, false, null, 'string', '');
  const rows = raw === undefined || raw === null ? [DEFAULT_URL_RULE] : raw;
  if (!Array.isArray(rows) || rows.some((r) => typeof r !== 'string')) {
    throw new InputError(`Invalid value for "${DYNAMIC_LIST}": expected an array of "name: regex" strings, e.g. ["url: https?://\\\\S+"].`, DYNAMIC_LIST);
  }
  return (rows as string[]).map((row) => {
    const m = /^\s*([A-Za-z_][\w-]*)\s*:\s?([\s\S]+)$/.exec(row);
    if (!m) throw new InputError(`Invalid row in "${DYNAMIC_LIST}": expected "name: regex", got "${row}".`, DYNAMIC_LIST);
    return { name: m[1], regex: regex(param, m[2], m[1]) };
  });
}

function headerRules(param: ParamSchema, t: string): HeaderRule[] {
  if (t === '') return [];
  return [...new Set(t.split(',').map((s) => s.trim()).filter(Boolean))].map((entry) => {
    // An entry without regex syntax is a header name, matched case-insensitively (as header names
    // are); anything else is a regular expression over the whole name.
    if (!/[*+?()[\]{}|^$\\]/.test(entry)) {
      const lower = entry.toLowerCase();
      return { text: entry, matches: (name: string) => name.toLowerCase() === lower };
    }
    const re = regex(param, `^(?:${entry})$`, null, true);
    return { text: entry, matches: (name: string) => re.findAll(name, 1).length > 0 };
  });
}

function loopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

const byName = (name: string): ParamSchema => [...CONNECTOR_PARAMS, ...CONNECTOR_EXTRA_PARAMS].find((x) => x.name === name)!;

/** The connector config, validated. */
export function parseConnectorConfig(obj: Record<string, unknown>, opts: ResolveOptions = {}): ConnectorConfig {
  const dynamicKey = Object.keys(obj).find((k) => k.trim().toLowerCase() === DYNAMIC_LIST.toLowerCase());
  const rest = { ...obj };
  const dynamicRaw = dynamicKey === undefined ? undefined : rest[dynamicKey];
  if (dynamicKey !== undefined) delete rest[dynamicKey];
  const values = resolveConfigValues(rest, [...CONNECTOR_PARAMS, ...CONNECTOR_EXTRA_PARAMS], opts);
  const get = (name: string) => text(values, byName(name));

  const envPattern = values.has('Environment Regex Pattern') ? String(values.get('Environment Regex Pattern') ?? '').trim() : '.*';
  const exclude = get('Email exclude pattern');
  const folders = [...new Set(required(values, byName('Folder to check for emails')).split(',').map((f) => f.trim()).filter(Boolean))];
  if (folders.length === 0) throw new InputError('Folder to check for emails is empty: name at least one folder, e.g. Inbox.', 'Folder to check for emails');

  const config: ConnectorConfig = {
    productField: required(values, byName('Product Field Name')),
    eventField: required(values, byName('Event Field Name')),
    environmentField: get('Environment Field Name') || null,
    environmentRegex: envPattern === '' ? null : regex(byName('Environment Regex Pattern'), envPattern),
    excludeRegex: exclude === '' ? null : regex(byName('Email exclude pattern'), exclude),
    scriptTimeoutSeconds: number(values, byName('Script Timeout (Seconds)'), { integer: true, unit: 'seconds' }),
    azureAdEndpoint: asHttpUrl(byName('Azure AD endpoint'), required(values, byName('Azure AD endpoint'))),
    graphEndpoint: asHttpUrl(byName('Microsoft Graph Endpoint'), required(values, byName('Microsoft Graph Endpoint'))),
    clientId: required(values, byName('Client ID')),
    clientSecret: required(values, byName('Client Secret')),
    tenant: required(values, byName('Tenant (Directory) ID')),
    mailbox: required(values, byName('Mail Address')),
    folders,
    offsetHours: number(values, byName('Offset Time In Hours'), { integer: false, unit: 'hours' }),
    maxEmailsPerCycle: number(values, byName('Max Emails Per Cycle'), { integer: true, unit: 'emails' }),
    unreadOnly: bool(values, byName('Unread Emails Only')),
    markAsRead: bool(values, byName('Mark Emails as Read')),
    disableOverflow: bool(values, byName('Disable Overflow')),
    origPrefix: prefix(values, byName('Original Received Mail Prefix')),
    attachPrefix: prefix(values, byName('Attached Mail File Prefix')),
    attachOriginalEml: bool(values, byName('Attach Original EML')),
    headers: headerRules(byName('Headers to add to events'), get('Headers to add to events')),
    alertPerAttachedMail: bool(values, byName('Create a Separate Siemplify Alert per Attached Mail File')),
    caseNameTemplate: get('Case Name Template') || null,
    alertNameTemplate: get('Alert Name Template') || null,
    dynamicList: dynamicList(dynamicRaw),
    verifySsl: bool(values, byName('Verify SSL')),
  };

  const proxyAddress = get('Proxy Server Address');
  const proxyUser = get('Proxy Username');
  const proxyPassword = get('Proxy Password');
  const proxy = proxySettings(proxyAddress, proxyUser, proxyPassword);
  if (proxy) config.proxy = proxy;

  const hook = get('Alerts Webhook URL');
  if (hook) {
    const param = byName('Alerts Webhook URL');
    const u = new URL(webhookUrl(param, hook));
    if (u.protocol === 'http:' && !loopback(u.hostname)) {
      throw new InputError(`Invalid value for "Alerts Webhook URL": plain http is allowed only to a loopback address (127.0.0.1, ::1, localhost); use https for "${u.host}".`, 'Alerts Webhook URL');
    }
    config.webhook = { url: u.toString(), secret: get('Alerts Webhook Secret') || undefined };
  }

  // Keep secrets out of any accidental JSON.stringify (logs, errors).
  Object.defineProperty(config, 'toJSON', {
    enumerable: false,
    value: () => ({
      ...config,
      clientSecret: REDACTED,
      proxy: config.proxy ? { ...config.proxy, password: config.proxy.password ? REDACTED : undefined } : undefined,
      webhook: config.webhook ? { ...config.webhook, secret: config.webhook.secret ? REDACTED : undefined } : undefined,
    }),
  });
  return config;
}
