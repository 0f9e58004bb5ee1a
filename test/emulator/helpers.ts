import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator/index.ts';

/** One page of a Graph collection. */
export interface Collection<T> {
  value: T[];
  '@odata.nextLink'?: string;
}

/** Graph's (and the admin API's) error answer. */
export interface ErrorAnswer {
  error: { code: string; message: string };
}

/** Entra's error answer (token and discovery endpoints). */
export interface EntraErrorAnswer {
  error: string;
  error_description: string;
  error_codes: number[];
  error_uri?: string;
}

/** One answer inside a `$batch` response. */
export interface BatchAnswer {
  id: string;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** A response body read as the JSON the test expects it to be: a wrong guess fails the assertion that reads it. */
export async function readJson<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

export interface Harness {
  emu: RunningEmulator;
  base: string;
  token(): Promise<string>;
  graph(path: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
  admin(path: string, init?: RequestInit): Promise<Response>;
  /**
   * The route's answer as JSON. The route tests walk Graph's raw answers (values, errors, `$batch`
   * parts) as the emulator sends them, so `body` is left untyped unless a test names its type.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw route answers, read freely (see above)
  json<T = any>(path: string, init?: RequestInit & { token?: string | null }): Promise<{ status: number; body: T; res: Response }>;
}

export async function harness(opts: EmulatorOptions = {}): Promise<Harness> {
  const emu = await startEmulator({ http: true, quiet: true, ...opts });
  const base = emu.info.graphEndpoint;
  let cached: string | undefined;
  const token = async () => {
    const res = await fetch(`${emu.info.loginEndpoint}/${emu.info.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: emu.info.clientId,
        client_secret: emu.info.clientSecret,
        scope: `${base}/.default`,
        grant_type: 'client_credentials',
      }),
    });
    if (res.status !== 200) throw new Error(`token: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const graph = async (path: string, init: RequestInit & { token?: string | null } = {}) => {
    const { token: given, ...rest } = init;
    const t = given === undefined ? (cached ??= await token()) : given;
    const headers = new Headers(rest.headers);
    if (t !== null) headers.set('authorization', `Bearer ${t}`);
    return fetch(path.startsWith('http') ? path : `${base}${path}`, { ...rest, headers });
  };
  return {
    emu,
    base,
    token,
    graph,
    admin: (path, init) => fetch(`${base}/_emulator${path}`, init),
    async json(path, init) {
      const res = await graph(path, init);
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, res };
    },
  };
}

export const SOC = 'soc@contoso.example';
export const ALICE = 'alice.martin@contoso.example';
export const REPORTS = 'phishing-reports@contoso.example';
export const u = (s: string) => encodeURIComponent(s);
