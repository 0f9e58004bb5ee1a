/** The emulator's admin API (CONTRACT.md §5) for test harnesses: JSON in and out, non-2xx throws. */
import type { GcsObject } from '../../emulator/gcs/store.ts';
import type { RequestLog } from '../../emulator/request-log.ts';

export type { RequestLogEntry, Traffic } from '../../emulator/request-log.ts';

/** `GET /requests`: the counters and the latest entries. */
export type RequestLogSnapshot = ReturnType<RequestLog['snapshot']>;

/** `GET /messages?internetMessageId=`: the copies of one email across the tenant. */
export interface MessageCopies {
  total: number;
  /** Well-known folder name (or folder id) -> copies there. */
  byFolder: Record<string, number>;
}

/** `GET /gcs/buckets`. */
export interface BucketList {
  buckets: Array<{ name: string; objects: Array<Pick<GcsObject, 'name' | 'size' | 'contentType'>> }>;
}

/** `POST /users/{upn}/messages` (a raw delivery): the stored message's ids. */
export interface Delivered {
  id: string;
  internetMessageId: string;
  parentFolderId: string;
}

/** `T`: the answer's shape as the route gives it (see the types above); unknown until a test names it. */
export type AdminCall = <T = unknown>(method: string, path: string, body?: unknown, contentType?: string) => Promise<T>;

export function adminClient(emulatorUrl: string): AdminCall {
  return async <T = unknown>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> => {
    const res = await fetch(`${emulatorUrl}/_emulator${path}`, {
      method,
      headers: { 'content-type': contentType },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    const text = await res.text();
    // The admin API's answer, as the caller's type says the route answers.
    return (text ? JSON.parse(text) : undefined) as T;
  };
}
