/**
 * Known national clouds. Endpoints stay plain configurable strings; this table exists for docs
 * and for validation hints (e.g. a Graph endpoint paired with the wrong cloud's login host).
 */
export interface CloudEndpoints {
  name: string;
  loginEndpoint: string;
  graphEndpoint: string;
}

export const NATIONAL_CLOUDS = {
  global: { name: 'Global', loginEndpoint: 'https://login.microsoftonline.com', graphEndpoint: 'https://graph.microsoft.com' },
  usGovL4: { name: 'US Government L4', loginEndpoint: 'https://login.microsoftonline.us', graphEndpoint: 'https://graph.microsoft.us' },
  usGovL5Dod: { name: 'US Government L5 (DoD)', loginEndpoint: 'https://login.microsoftonline.us', graphEndpoint: 'https://dod-graph.microsoft.us' },
  china: { name: 'China (21Vianet)', loginEndpoint: 'https://login.chinacloudapi.cn', graphEndpoint: 'https://microsoftgraph.chinacloudapi.cn' },
} as const satisfies Record<string, CloudEndpoints>;

export type CloudId = keyof typeof NATIONAL_CLOUDS;

function origin(url: string): string | undefined {
  try {
    return new URL(url).origin.toLowerCase();
  } catch {
    return undefined;
  }
}

/** The cloud whose Graph or login endpoint has this origin, if any (custom endpoints such as the emulator give undefined). */
export function findCloud(endpoint: string): CloudId | undefined {
  const o = origin(endpoint);
  if (!o) return undefined;
  for (const [id, c] of Object.entries(NATIONAL_CLOUDS) as Array<[CloudId, CloudEndpoints]>) {
    if (origin(c.graphEndpoint) === o || origin(c.loginEndpoint) === o) return id;
  }
  return undefined;
}
