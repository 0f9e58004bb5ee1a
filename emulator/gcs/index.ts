/**
 * The GCS subset mounted on the emulator's port. One store per running emulator, kept beside
 * its state (not in it) so the Graph side's types do not grow a storage concern.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorState } from '../state.ts';
import { requestOrigin } from '../origin.ts';
import { GcsHandler, matchGcsPath } from './handler.ts';
import { GcsStore } from './store.ts';

export { GcsStore, GcsError, checkBucketName, type GcsObject, type GcsBucket } from './store.ts';
export { matchGcsPath } from './handler.ts';

const stores = new WeakMap<EmulatorState, GcsStore>();

export function gcsStoreOf(state: EmulatorState): GcsStore {
  let store = stores.get(state);
  if (!store) stores.set(state, (store = new GcsStore(state.now)));
  return store;
}

/** Serves the request when its path is a GCS one; false (nothing read or written) otherwise. */
export async function handleGcsHttp(state: EmulatorState, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const route = matchGcsPath(url.pathname);
  if (!route) return false;
  const handler = new GcsHandler(gcsStoreOf(state), (r) => requestOrigin(state, r.headers.host));
  await handler.handle(route, req, res, url);
  return true;
}
