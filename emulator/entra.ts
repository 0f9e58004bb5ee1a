/**
 * Microsoft Entra's token endpoint for the client credentials grant, plus the discovery
 * documents MSAL reads before asking for a token. Errors carry Entra's real shape and AADSTS
 * codes, so clients can tell a wrong tenant, client id, secret and scope apart.
 */
import { randomUUID } from 'node:crypto';
import { isOwnOrigin } from './origin.ts';
import type { EmulatorState, GraphResponse } from './state.ts';

export type EntraRoute =
  | { kind: 'token'; tenant: string }
  | { kind: 'openid'; tenant: string }
  | { kind: 'keys'; tenant: string }
  | { kind: 'instance' };

export function matchEntra(path: string): EntraRoute | undefined {
  let m = /^\/([^/]+)\/oauth2\/v2\.0\/token\/?$/i.exec(path);
  if (m) return { kind: 'token', tenant: decodeURIComponent(m[1]) };
  m = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration\/?$/i.exec(path);
  if (m) return { kind: 'openid', tenant: decodeURIComponent(m[1]) };
  m = /^\/([^/]+)\/discovery\/v2\.0\/keys\/?$/i.exec(path);
  if (m) return { kind: 'keys', tenant: decodeURIComponent(m[1]) };
  if (/^\/common\/discovery\/instance\/?$/i.test(path)) return { kind: 'instance' };
  return undefined;
}

function entraJson(status: number, body: unknown): GraphResponse {
  return {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' },
    body,
  };
}

function entraError(state: EmulatorState, status: number, error: string, code: number, description: string): GraphResponse {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date(state.now()).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
  return entraJson(status, {
    error,
    error_description: `AADSTS${code}: ${description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `${state.origin}/error?code=${code}`,
  });
}

function knownTenant(state: EmulatorState, tenant: string): boolean {
  const t = tenant.toLowerCase();
  return t === state.tenant.tenantId.toLowerCase() || t === state.tenant.tenantDomain.toLowerCase();
}

function tenantNotFound(state: EmulatorState, tenant: string, error: string): GraphResponse {
  return entraError(
    state,
    400,
    error,
    90002,
    `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  );
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * Whether Entra could look the tenant up at all: a directory id (GUID) or a DNS name of two or more
 * labels. Anything else (`contoso`, `invalid_tenant`, a GUID with a typo) is AADSTS900023 before
 * any lookup; a well-formed name Entra does not know is AADSTS90002.
 */
function wellFormedTenant(tenant: string): boolean {
  if (GUID.test(tenant)) return true;
  const labels = tenant.split('.');
  return tenant.length <= 253 && labels.length >= 2 && labels.every((l) => DNS_LABEL.test(l)) && !/^\d+$/.test(labels[labels.length - 1]);
}

function malformedTenant(state: EmulatorState, tenant: string, error: string): GraphResponse {
  return entraError(state, 400, error, 900023, `Specified tenant identifier '${tenant}' is neither a valid DNS name, nor a valid external domain.`);
}

/** The resource a `{resource}/.default` scope names, as Entra echoes it: the scope without `/.default`. */
function resourceNamed(scope: string): string {
  return scope.replace(/\/\.default$/i, '');
}

/** Resources a token may be asked for: the emulator's own Graph base, or Graph's public names. */
function resourceOf(state: EmulatorState, scope: string): string | undefined {
  const resource = resourceNamed(scope).replace(/\/$/, '');
  const accepted = ['https://graph.microsoft.com', '00000003-0000-0000-c000-000000000000'];
  return isOwnOrigin(state, resource) || accepted.includes(resource.toLowerCase()) ? resource : undefined;
}

export async function handleEntra(
  state: EmulatorState,
  route: EntraRoute,
  method: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<GraphResponse> {
  const { tenant } = state;
  if (route.kind === 'instance') {
    const host = new URL(state.origin).host;
    return entraJson(200, {
      tenant_discovery_endpoint: `${state.origin}/${tenant.tenantId}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  }
  if (!wellFormedTenant(route.tenant)) {
    return malformedTenant(state, route.tenant, route.kind === 'token' ? 'invalid_request' : 'invalid_tenant');
  }
  if (!knownTenant(state, route.tenant)) {
    return tenantNotFound(state, route.tenant, route.kind === 'token' ? 'invalid_request' : 'invalid_tenant');
  }
  if (route.kind === 'keys') return entraJson(200, { keys: [] });
  if (route.kind === 'openid') {
    const base = `${state.origin}/${tenant.tenantId}`;
    return entraJson(200, {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${base}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${state.origin}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'roles'],
      kerberos_endpoint: `${base}/kerberos`,
      tenant_region_scope: 'EU',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: new URL(state.origin).host,
      rbac_url: 'https://pas.windows.net',
    });
  }
  if (method !== 'POST') {
    return entraError(state, 405, 'invalid_request', 900561, 'The endpoint only accepts POST requests.');
  }
  const contentType = headers['content-type'] ?? '';
  if (!contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    return entraError(state, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
  }
  const form = new URLSearchParams(body.toString('utf8'));
  const grantType = form.get('grant_type');
  if (!grantType) {
    return entraError(state, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
  }
  if (grantType !== 'client_credentials') {
    return entraError(state, 400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`);
  }
  const clientId = form.get('client_id');
  if (!clientId) {
    return entraError(state, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
  }
  if (clientId.toLowerCase() !== tenant.clientId.toLowerCase()) {
    return entraError(
      state,
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant.tenantDomain}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  }
  const secret = form.get('client_secret');
  if (!secret) {
    return entraError(state, 401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
  }
  if (secret !== tenant.clientSecret) {
    return entraError(
      state,
      401,
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${tenant.clientId}'.`,
    );
  }
  if (state.settings.secretExpired) {
    return entraError(
      state,
      401,
      'invalid_client',
      7000222,
      `The provided client secret keys for app '${tenant.clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
    );
  }
  const scope = form.get('scope');
  if (!scope) {
    return entraError(state, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'scope'.");
  }
  const scopes = scope.trim().split(/\s+/);
  if (scopes.length !== 1 || !/\/\.default$/i.test(scopes[0])) {
    return entraError(
      state,
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
  }
  const resource = resourceOf(state, scopes[0]);
  if (!resource) {
    // A well-formed scope of a resource this tenant has no service principal for (a wrong
    // Microsoft Graph Endpoint, another cloud's Graph): Entra's resource lookup fails, not the scope syntax.
    return entraError(
      state,
      400,
      'invalid_resource',
      500011,
      `The resource principal named ${resourceNamed(scopes[0])} was not found in the tenant named ${tenant.tenantDomain}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    );
  }
  const lifetime = state.settings.tokenLifetimeSeconds;
  const now = Math.floor(state.now() / 1000);
  const accessToken = state.signer.issue({
    // One audience for all loopback names of the emulator, as Graph has one App ID URI.
    aud: isOwnOrigin(state, resource) ? state.origin : resource === '00000003-0000-0000-c000-000000000000' ? 'https://graph.microsoft.com' : resource,
    iss: `https://sts.windows.net/${tenant.tenantId}/`,
    tid: tenant.tenantId,
    appid: tenant.clientId,
    roles: [...state.settings.permissions],
    iat: now,
    nbf: now,
    exp: now + lifetime,
  });
  return entraJson(200, { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken });
}
