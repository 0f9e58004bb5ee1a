/** The emulator's admin API (CONTRACT.md §5) for test harnesses: JSON in and out, non-2xx throws. */
export function adminClient(emulatorUrl: string) {
  return async <T = any>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> => {
    const res = await fetch(`${emulatorUrl}/_emulator${path}`, {
      method,
      headers: { 'content-type': contentType },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  };
}
