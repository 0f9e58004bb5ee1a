/** Download destinations: `Download Destination` ("GCP Bucket" | "Local File System") -> one AttachmentDestination. */
import { InputError } from '../../soar/errors.ts';
import { createGcsDestination, type GcsDestinationOptions } from './gcs.ts';
import { createLocalDestination, type LocalDestinationOptions } from './local.ts';
import type { AttachmentDestination } from './types.ts';

export type { AttachmentDestination, SaveOptions, SavedFile } from './types.ts';
export { DOWNLOAD_PATH } from './types.ts';
export { safeAttachmentName, resolveInside, capNameBytes, withSuffix, DEFAULT_ATTACHMENT_NAME, MAX_NAME_BYTES } from './safe-name.ts';
export { createLocalDestination, checkDownloadPath, uniqueStamp, type LocalDestinationOptions } from './local.ts';
export { RunPaths } from './run-paths.ts';
export { createGcsDestination, parseGcsPath, DEFAULT_BUCKET_ENV, RESUMABLE_THRESHOLD, type GcsDestinationOptions, type GcsLocation } from './gcs.ts';

export const DESTINATION_GCS = 'GCP Bucket';
export const DESTINATION_LOCAL = 'Local File System';

export interface DestinationOptions {
  local?: LocalDestinationOptions;
  gcs?: GcsDestinationOptions;
  /** Paths this run already wrote (earlier invocations of an async run): a repeated name is suffixed, not overwritten. */
  taken?: Iterable<string>;
}

/** The destination for the action's `Download Destination` and `Download Path` values (case-insensitive). */
export function createDestination(destination: string, downloadPath: string, opts: DestinationOptions = {}): AttachmentDestination {
  const d = destination.trim().toLowerCase();
  const taken = opts.taken ? [...opts.taken] : undefined;
  if (d === DESTINATION_LOCAL.toLowerCase()) return createLocalDestination(downloadPath, { ...(taken ? { taken } : {}), ...opts.local });
  if (d === DESTINATION_GCS.toLowerCase()) return createGcsDestination(downloadPath, { ...(taken ? { taken } : {}), ...opts.gcs });
  throw new InputError(`Download Destination must be "${DESTINATION_GCS}" or "${DESTINATION_LOCAL}", got "${destination}".`, 'Download Destination');
}
