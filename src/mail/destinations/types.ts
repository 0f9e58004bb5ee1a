/** Where Download Attachments From Email puts files: the local file system or a GCS bucket. */
export interface SaveOptions {
  /**
   * Never overwrite: a name already taken gets a unique suffix (`Download Attachments to unique path?`).
   * Without it, files of earlier runs are overwritten, but never a file this destination itself
   * wrote (or was told about with `taken`): a repeated name in one run gets `-2`, `-3`, ...
   */
  unique: boolean;
  /** One more folder level under the download path (made safe like a file name). */
  subfolder?: string;
  /** Stored with the object where the destination keeps one (GCS). */
  contentType?: string;
  /** Expected size in bytes when known: lets GCS pick a single-request upload for small files. */
  size?: number;
}

export interface SavedFile {
  /** Where it landed: an absolute file path, or `gs://bucket/object`. */
  path: string;
  bytes: number;
}

export interface AttachmentDestination {
  readonly kind: 'local' | 'gcs';
  /** A human-readable root, e.g. `/tmp/test` or `gs://bucket/prefix`. */
  readonly root: string;
  /**
   * Streams `body` to `name` (made safe first). Always consumes or cancels `body`, also when it
   * fails, and leaves no partial file or object behind.
   */
  save(name: string, body: ReadableStream<Uint8Array>, opts: SaveOptions): Promise<SavedFile>;
}

/** The documented parameter every destination error names. */
export const DOWNLOAD_PATH = 'Download Path';
