import { graphErrors } from './errors.ts';
import { newGuid } from './ids.ts';
import type { GraphRequest, GraphVersion } from './state.ts';

/** A Graph request from its parts (top-level HTTP request or one item of a $batch). */
export function buildGraphRequest(init: {
  method: string;
  version: GraphVersion;
  pathAfterVersion: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body?: Buffer;
}): GraphRequest {
  const segments = init.pathAfterVersion
    .split('/')
    .filter((s, i, all) => s !== '' || (i > 0 && i < all.length - 1))
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        throw graphErrors.badRequest(`Invalid URL segment '${s}'.`);
      }
    });
  return {
    method: init.method.toUpperCase(),
    version: init.version,
    segments,
    logPath: `/${init.version}/${init.pathAfterVersion.replace(/^\/+/, '')}`,
    query: init.query,
    headers: init.headers,
    body: init.body,
    requestId: newGuid(),
    clientRequestId: init.headers['client-request-id'] || newGuid(),
  };
}

