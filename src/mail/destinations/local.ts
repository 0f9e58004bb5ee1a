/**
 * The `Local File System` destination. Each attachment streams from Graph into a hidden temp
 * file in the target folder and is renamed into place once complete, so a download that fails
 * midway leaves nothing that looks like a finished file. With `unique`, a taken name is never
 * overwritten: the name is reserved with an exclusive create before the rename.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import { InputError } from '../../soar/errors.ts';
import { RunPaths } from './run-paths.ts';
import { resolveInside, safeAttachmentName, withSuffix } from './safe-name.ts';
import { DOWNLOAD_PATH, type AttachmentDestination, type SaveOptions, type SavedFile } from './types.ts';

export interface LocalDestinationOptions {
  /** Clock of the unique suffixes (tests). */
  now?: () => Date;
  /** Paths this run already wrote (earlier invocations of an async run): never overwritten by it. */
  taken?: Iterable<string>;
}

/** How many suffixed names are tried before giving up (same millisecond, many equal names). */
const MAX_UNIQUE_TRIES = 1000;

interface FsError extends Error {
  code?: string;
  syscall?: string;
}

function isFsError(err: unknown): err is FsError {
  return err instanceof Error && typeof (err as FsError).syscall === 'string' && typeof (err as FsError).code === 'string';
}

/** `2024_01_31-10_15_02_123` (UTC): when it was downloaded, as the original integration marks unique names. */
export function uniqueStamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}_${p(d.getUTCMonth() + 1)}_${p(d.getUTCDate())}-${p(d.getUTCHours())}_${p(d.getUTCMinutes())}_${p(d.getUTCSeconds())}_${p(d.getUTCMilliseconds(), 3)}`;
}

export function checkDownloadPath(downloadPath: unknown): string {
  if (typeof downloadPath !== 'string' || downloadPath.trim() === '') {
    throw new InputError(`${DOWNLOAD_PATH} is required: a folder such as /tmp/attachments.`, DOWNLOAD_PATH);
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
  if (/[\u0000]/.test(downloadPath)) throw new InputError(`${DOWNLOAD_PATH} contains a NUL character.`, DOWNLOAD_PATH);
  return downloadPath.trim();
}

export function createLocalDestination(downloadPath: string, opts: LocalDestinationOptions = {}): AttachmentDestination {
  const given = checkDownloadPath(downloadPath);
  const root = path.resolve(given);
  const now = opts.now ?? (() => new Date());
  const written = new RunPaths(opts.taken);

  const cannotWrite = (err: FsError, where: string): InputError => {
    const why = err.code === 'EACCES' || err.code === 'EPERM' ? 'permission denied'
      : err.code === 'EROFS' ? 'read-only file system'
      : err.code === 'ENOSPC' || err.code === 'EDQUOT' ? 'no space left'
      : err.code === 'ENOTDIR' || err.code === 'EEXIST' ? 'a file is in the way of a folder'
      : err.code === 'EISDIR' ? 'a folder has that name'
      : err.code === 'ENAMETOOLONG' ? 'path too long'
      : err.code;
    return new InputError(`Cannot write to the ${DOWNLOAD_PATH} "${given}" (${where}): ${why}.`, DOWNLOAD_PATH);
  };

  async function place(tmp: string, dir: string, fileName: string, unique: boolean): Promise<string> {
    if (!unique) {
      // The name was claimed for this run before the download started (see save).
      const target = resolveInside(root, path.relative(root, dir), fileName);
      await rename(tmp, target);
      return target;
    }
    const stamp = uniqueStamp(now());
    for (let i = 0; i < MAX_UNIQUE_TRIES; i++) {
      const candidate = i === 0 ? fileName : withSuffix(fileName, i === 1 ? stamp : `${stamp}-${i}`);
      const target = resolveInside(root, path.relative(root, dir), candidate);
      let reserved;
      try {
        reserved = await open(target, 'wx');
      } catch (err) {
        if (isFsError(err) && (err.code === 'EEXIST' || err.code === 'EISDIR')) continue;
        throw err;
      }
      await reserved.close();
      try {
        // Replaces only our own empty placeholder: nobody else could create the name after `wx`.
        await rename(tmp, target);
      } catch (err) {
        await unlink(target).catch(() => undefined);
        throw err;
      }
      written.add(target);
      return target;
    }
    throw new InputError(`No free name for "${fileName}" in the ${DOWNLOAD_PATH} "${given}".`, DOWNLOAD_PATH);
  }

  return {
    kind: 'local',
    root,
    async save(name: string, body: ReadableStream<Uint8Array>, o: SaveOptions): Promise<SavedFile> {
      let fileName = safeAttachmentName(name);
      let dir: string;
      let claim: { name: string; release: () => void } | undefined;
      try {
        dir = o.subfolder === undefined ? root : resolveInside(root, safeAttachmentName(o.subfolder, 'email'));
        if (!o.unique) {
          claim = written.claim(fileName, (n) => resolveInside(dir, n));
          fileName = claim.name;
        }
      } catch (err) {
        await body.cancel(err).catch(() => undefined);
        throw err;
      }
      try {
        return await write(fileName, dir, body, o.unique);
      } catch (err) {
        claim?.release();
        throw err;
      }
    },
  };

  /** Streams into a temp file next to the target, then renames it into place. */
  async function write(fileName: string, dir: string, body: ReadableStream<Uint8Array>, unique: boolean): Promise<SavedFile> {
    try {
      await mkdir(dir, { recursive: true });
      if (!(await stat(dir)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR', syscall: 'mkdir' });
    } catch (err) {
      await body.cancel(err).catch(() => undefined);
      throw isFsError(err) ? cannotWrite(err, 'creating the folder') : err;
    }
    const tmp = resolveInside(dir, `.${fileName.slice(0, 64)}.${randomUUID()}.part`);
    const out = createWriteStream(tmp, { flags: 'wx' });
    try {
      // Readable.fromWeb cancels the web stream when the file side fails, freeing the Graph slot.
      await pipeline(Readable.fromWeb(body as unknown as NodeWebReadableStream<Uint8Array>), out);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw isFsError(err) ? cannotWrite(err, 'writing the file') : err;
    }
    const bytes = out.bytesWritten;
    try {
      const target = await place(tmp, dir, fileName, unique);
      return { path: target, bytes };
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw isFsError(err) ? cannotWrite(err, 'naming the file') : err;
    }
  }
}
