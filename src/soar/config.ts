/**
 * The `--config FILE` of CONTRACT.md §2: a JSON object keyed by documented parameter names
 * (case-insensitive), values JSON strings / booleans / numbers or "$ENV:NAME".
 */
import { readFile } from 'node:fs/promises';
import { REDACTED } from '../graph/redact.ts';
import type { GraphClientOptions } from '../graph/types.ts';
import { InputError, UsageError } from './errors.ts';
import type { ParamSchema } from './params.ts';
import { findByName, suggestionText } from './suggest.ts';

export type ConfigValue = string | boolean | number | null;

/** The integration parameters of spec/contract.json, plus the connector's optional proxy settings. */
export const INTEGRATION_PARAMS: readonly ParamSchema[] = [
  { name: 'Azure AD endpoint', required: true, default: 'https://login.microsoftonline.com', type: 'string', options: null,
    description: 'The Microsoft Entra endpoint to connect to.' },
  { name: 'Microsoft Graph Endpoint', required: true, default: 'https://graph.microsoft.com', type: 'string', options: null,
    description: 'The Microsoft Graph endpoint to connect to.' },
  { name: 'Client ID', required: true, default: null, type: 'string', options: null,
    description: 'The client (application) ID of the Microsoft Entra app to use in the integration.' },
  { name: 'Secret ID', required: true, default: null, type: 'password', options: null,
    description: 'The client secret value of the Microsoft Entra app to use in the integration.' },
  { name: 'Tenant', required: true, default: null, type: 'string', options: null,
    description: 'The Microsoft Entra ID (tenant ID) value.' },
  { name: 'Default Mailbox', required: true, default: null, type: 'string', options: null,
    description: 'The default mailbox to use in the integration.' },
  { name: 'Verify SSL', required: true, default: 'true', type: 'boolean', options: null,
    description: 'If selected, the integration verifies that the SSL certificate for the connection to the Microsoft Graph server is valid.' },
  // Not integration parameters in the docs, but the connector has them and actions behind a
  // proxy need them too (CONTRACT.md §2).
  { name: 'Proxy Server Address', required: false, default: null, type: 'string', options: null,
    description: 'The address of the proxy server to use (host:port or http://host:port).' },
  { name: 'Proxy Username', required: false, default: null, type: 'string', options: null,
    description: 'The proxy username to authenticate with.' },
  { name: 'Proxy Password', required: false, default: null, type: 'password', options: null,
    description: 'The proxy password to authenticate with.' },
  // CONTRACT.md §2: the folder of user HTML templates (`NAME.html`) that `Email HTML Template` offers.
  { name: 'Templates Folder', required: false, default: null, type: 'string', options: null,
    description: 'A folder of HTML templates, one NAME.html each, offered by Email HTML Template in Send Email HTML and Send Vote Email.' },
];

const URL_PARAMS = new Set(['azure ad endpoint', 'microsoft graph endpoint']);

export interface IntegrationConfig {
  azureAdEndpoint: string;
  graphEndpoint: string;
  clientId: string;
  secretId: string;
  tenant: string;
  defaultMailbox: string;
  verifySsl: boolean;
  proxy?: { address: string; username?: string; password?: string };
  /** `Templates Folder`: user HTML templates for Send Email HTML / Send Vote Email. */
  templatesFolder?: string;
}

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  /** Receives the unknown-key warnings (the CLI prints them on stderr). */
  warn?: (message: string) => void;
}

/** Read and JSON-parse a config file. Problems are UsageErrors; file content is never echoed. */
export async function loadConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`Cannot read config file "${path}"${code ? ` (${code})` : ''}.`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    // V8's message quotes the text around the error, which may be a secret: report the line only.
    const pos = /position (\d+)/.exec(String((e as Error).message));
    const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : undefined;
    throw new UsageError(`Config file "${path}" is not valid JSON${line ? ` (error on line ${line})` : ''}.`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UsageError(`Config file "${path}" must hold a JSON object of parameter names and values.`);
  }
  return data as Record<string, unknown>;
}

/**
 * Map the keys of a config object onto a schema: case-insensitive names, "$ENV:NAME" values,
 * JSON type checks. Unknown keys are warned about, not rejected. Returns canonical name -> value.
 */
export function resolveConfigValues(
  obj: Record<string, unknown>,
  schema: readonly ParamSchema[],
  opts: ResolveOptions = {},
): Map<string, ConfigValue> {
  const env = opts.env ?? process.env;
  const out = new Map<string, ConfigValue>();
  for (const [key, raw] of Object.entries(obj)) {
    const p = findByName(schema, key);
    if (!p) {
      opts.warn?.(`Unknown config key "${key}" ignored. ${suggestionText(key, schema.map((s) => s.name))}`);
      continue;
    }
    if (out.has(p.name)) throw new InputError(`Config key "${p.name}" is given more than once.`, p.name);
    out.set(p.name, resolveValue(p, raw, env));
  }
  return out;
}

/** A POSIX environment variable name. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What a config value's JSON type must be, by its documented type. */
function expectedType(p: ParamSchema): 'a string' | 'true or false' | 'a whole number' {
  if (p.type === 'boolean') return 'true or false';
  if (p.format === 'integer') return 'a whole number';
  return 'a string';
}

function jsonTypeName(raw: unknown): string {
  if (Array.isArray(raw)) return 'an array';
  return typeof raw === 'object' ? 'an object' : `a ${typeof raw}`;
}

function resolveValue(p: ParamSchema, raw: unknown, env: NodeJS.ProcessEnv): ConfigValue {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'string') {
    const m = /^\$ENV:(.*)$/s.exec(raw.trim());
    if (!m) return raw;
    const name = m[1].trim();
    if (name === '') throw new InputError(`Config "${p.name}" holds "$ENV:" without a variable name: write "$ENV:NAME".`, p.name);
    const v = env[name];
    if (v === undefined || v.trim() === '') {
      // A secret key whose "name" is no variable name may be the secret itself, pasted after
      // "$ENV:": not echoed then.
      const state = v === undefined ? 'not set' : 'empty';
      if (p.type === 'password' && !ENV_NAME.test(name)) {
        throw new InputError(`Config "${p.name}" refers to an environment variable that is ${state} (its name is not shown: it is no valid variable name and may be the secret itself).`, p.name);
      }
      // Set but empty is a mistake too (an export that expanded to nothing): say which variable.
      throw new InputError(`Config "${p.name}" refers to environment variable ${name}, which is ${state}.`, p.name);
    }
    return v;
  }
  // Strings are always accepted ("$ENV:" values are strings, and the docs write booleans and
  // numbers as "true" / "25"); a JSON boolean or number only where the documented value is one.
  const expected = expectedType(p);
  if ((typeof raw === 'boolean' && expected === 'true or false') || (typeof raw === 'number' && expected === 'a whole number')) return raw;
  throw new InputError(`Invalid value for "${p.name}" in the config file: expected ${expected}, got ${jsonTypeName(raw)}.`, p.name);
}

function asText(p: ParamSchema, v: ConfigValue): string {
  if (v === null) return '';
  return String(v).trim();
}

function asBoolean(p: ParamSchema, v: ConfigValue): boolean {
  if (typeof v === 'boolean') return v;
  const t = String(v).trim().toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  throw new InputError(`Invalid value for "${p.name}" in the config file: expected true or false, got "${String(v)}".`, p.name);
}

/** Show a URL without any user:password part. */
function safeUrlText(text: string): string {
  return text.replace(/\/\/[^/@]*@/, '//***@');
}

/** An http(s) URL without credentials, query or fragment (the endpoints), trailing slashes dropped. */
export function asHttpUrl(p: ParamSchema, text: string): string {
  let u: URL | undefined;
  try {
    u = new URL(text);
  } catch {
    u = undefined;
  }
  if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:') || !u.hostname || u.username || u.password || u.search || u.hash) {
    throw new InputError(
      `Invalid value for "${p.name}": expected an http(s) URL such as ${p.default ?? 'https://host'}, got "${safeUrlText(text)}".`,
      p.name,
    );
  }
  return text.replace(/\/+$/, '');
}

/** Integration config for actions, validated; messages name the parameter and never a secret. */
export function parseIntegrationConfig(obj: Record<string, unknown>, opts: ResolveOptions = {}): IntegrationConfig {
  const values = resolveConfigValues(obj, INTEGRATION_PARAMS, opts);
  const text = new Map<string, string>();
  let verifySsl = true;
  for (const p of INTEGRATION_PARAMS) {
    const v = values.get(p.name) ?? null;
    if (p.type === 'boolean') {
      verifySsl = v === null || v === '' ? p.default === 'true' : asBoolean(p, v);
      continue;
    }
    let t = asText(p, v);
    if (t === '' && p.default !== null) t = p.default;
    if (t === '' && p.required) throw new InputError(`${p.name} is empty: set "${p.name}" in the config file.`, p.name);
    if (t !== '' && URL_PARAMS.has(p.name.toLowerCase())) t = asHttpUrl(p, t);
    text.set(p.name, t);
  }
  const config: IntegrationConfig = {
    azureAdEndpoint: text.get('Azure AD endpoint')!,
    graphEndpoint: text.get('Microsoft Graph Endpoint')!,
    clientId: text.get('Client ID')!,
    secretId: text.get('Secret ID')!,
    tenant: text.get('Tenant')!,
    defaultMailbox: text.get('Default Mailbox')!,
    verifySsl,
  };
  const templatesFolder = text.get('Templates Folder');
  if (templatesFolder) config.templatesFolder = templatesFolder;
  const proxyAddress = text.get('Proxy Server Address');
  const proxyUser = text.get('Proxy Username');
  const proxyPassword = text.get('Proxy Password');
  const proxy = proxySettings(proxyAddress, proxyUser, proxyPassword);
  if (proxy) config.proxy = proxy;
  // Keep secrets out of any accidental JSON.stringify (logs, result documents).
  Object.defineProperty(config, 'toJSON', { enumerable: false, value: () => redactConfig(config) });
  return config;
}

/** The three proxy parameters (the actions' and the connector's), checked together. */
export function proxySettings(address: string | undefined, username: string | undefined, password: string | undefined): IntegrationConfig['proxy'] {
  if (address) {
    if (/\s/.test(address) || address.includes('@')) {
      throw new InputError(
        'Invalid value for "Proxy Server Address": expected host:port or http://host:port (put credentials in "Proxy Username" and "Proxy Password").',
        'Proxy Server Address',
      );
    }
    return { address, username: username || undefined, password: password || undefined };
  }
  if (username || password) throw new InputError('"Proxy Username" / "Proxy Password" are set but "Proxy Server Address" is empty.', 'Proxy Server Address');
  return undefined;
}

export function redactConfig(c: IntegrationConfig): Record<string, unknown> {
  return {
    ...c,
    secretId: c.secretId ? REDACTED : '',
    proxy: c.proxy ? { ...c.proxy, password: c.proxy.password ? REDACTED : undefined } : undefined,
  };
}

export function toGraphClientOptions(c: IntegrationConfig, extra: Partial<GraphClientOptions> = {}): GraphClientOptions {
  return {
    loginEndpoint: c.azureAdEndpoint,
    graphEndpoint: c.graphEndpoint,
    tenant: c.tenant,
    clientId: c.clientId,
    clientSecret: c.secretId,
    verifySsl: c.verifySsl,
    proxy: c.proxy ? { url: c.proxy.address, username: c.proxy.username, password: c.proxy.password } : undefined,
    ...extra,
  };
}
