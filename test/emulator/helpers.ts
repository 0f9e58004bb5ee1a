import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator/index.ts';

export interface Harness {
  emu: RunningEmulator;
  base: string;
  token(): Promise<string>;
  graph(path: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
  admin(path: string, init?: RequestInit): Promise<Response>;
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
