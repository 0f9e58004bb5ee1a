/**
 * Emulator throughput: N concurrent workers send `GET /v1.0/users/{u}/messages?$top=10` over
 * keep-alive connections for a few seconds, with throttling off, over HTTP and HTTPS.
 * Run: npx tsx bench/emulator-throughput.ts [--concurrency N] [--seconds S]
 * Prints one JSON line per protocol: {"requests","seconds","requests_per_second","protocol"}.
 */
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'undici';
import { startEmulator } from '../emulator/index.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new TypeError(`--${name} must be a positive number`);
  return v;
}

const concurrency = arg('concurrency', 32);
const seconds = arg('seconds', 5);

async function measure(protocol: 'http' | 'https') {
  const emu = await startEmulator({ http: protocol === 'http', throttle: false, quiet: true });
  const ca = protocol === 'https' ? await readFile(emu.info.caCertPath, 'utf8') : undefined;
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 30_000, pipelining: 1, connect: ca ? { ca } : undefined });
  try {
    const tokenRes = await request(`${emu.info.loginEndpoint}/${emu.info.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: emu.info.clientId,
        client_secret: emu.info.clientSecret,
        scope: `${emu.info.graphEndpoint}/.default`,
        grant_type: 'client_credentials',
      }).toString(),
    });
    const { access_token: token } = (await tokenRes.body.json()) as { access_token: string };
    const url = `${emu.info.graphEndpoint}/v1.0/users/${encodeURIComponent(emu.info.defaultMailbox)}/messages?$top=10`;
    const headers = { authorization: `Bearer ${token}` };
    let count = 0;
    let failures = 0;
    const started = performance.now();
    const deadline = started + seconds * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < deadline) {
          const res = await request(url, { dispatcher: agent, headers });
          await res.body.arrayBuffer();
          if (res.statusCode === 200) count += 1;
          else failures += 1;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    if (failures > 0) process.stderr.write(`${protocol}: ${failures} non-200 responses\n`);
    return { requests: count, seconds: Math.round(elapsed * 100) / 100, requests_per_second: Math.round(count / elapsed), protocol };
  } finally {
    await agent.close();
    await emu.close();
  }
}

for (const protocol of ['http', 'https'] as const) {
  process.stdout.write(`${JSON.stringify(await measure(protocol))}\n`);
}
