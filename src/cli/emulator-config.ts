/**
 * The integration config (CONTRACT.md §2) that points at a running emulator, from the JSON line
 * it prints (CONTRACT.md §5). Used by the walkthrough, and by tests and benchmarks.
 */
export interface EmulatorEndpoints {
  graphEndpoint: string;
  loginEndpoint: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  defaultMailbox: string;
}

export function configForEmulator<T = string | boolean>(info: EmulatorEndpoints, overrides: Record<string, T> = {}): Record<string, string | boolean | T> {
  return {
    'Azure AD endpoint': info.loginEndpoint,
    'Microsoft Graph Endpoint': info.graphEndpoint,
    'Client ID': info.clientId,
    'Secret ID': info.clientSecret,
    Tenant: info.tenantId,
    'Default Mailbox': info.defaultMailbox,
    'Verify SSL': true,
    ...overrides,
  };
}
