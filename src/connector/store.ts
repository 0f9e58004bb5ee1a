/**
 * What the connector keeps between cycles, behind one small interface so a shared database for
 * several instances can replace the embedded one (sqlite-store.ts) without touching the cycle.
 *
 * The promise of CONTRACT.md §4 lives here: `commitCycle` writes the cycle's alerts, every
 * folder's cursor and seen ids, the emails still to mark as read and the webhook outbox in ONE
 * transaction, so a crash at any instant leaves either all of a cycle or none of it.
 */
import type { Alert } from './alert.ts';

/** Where one monitored folder's reading stands. Times are ms since the epoch, everywhere. */
export interface FolderCursor {
  /** The folder as configured (`Folder to check for emails` is case-sensitive). */
  folder: string;
  /** Graph id of the folder when the cursor was last committed (a renamed path is then noticed). */
  folderId: string | null;
  /** receivedDateTime of the newest email taken; null before the first commit. */
  cursorMs: number | null;
  /** Ids taken whose receivedDateTime is at or after `cursorMs - lookback`, with that time. */
  seen: Map<string, number>;
}

export interface FolderAdvance {
  folder: string;
  folderId: string;
  cursorMs: number;
  /** Ids taken this cycle with their receivedDateTime. */
  taken: Array<{ id: string; receivedMs: number }>;
  /** Seen ids received before this are forgotten (the seen set is bounded by age, not count). */
  forgetBeforeMs: number;
}

export interface NewAlert {
  alert: Alert;
  /** Recorded, not emitted: the overflow rule held it back (overflow.ts). */
  overflow: boolean;
}

export interface CycleCommit {
  nowMs: number;
  folders: FolderAdvance[];
  alerts: NewAlert[];
  /** Graph ids of the emails to mark as read once the commit holds (`Mark Emails as Read`). */
  markRead: Array<{ id: string; folder: string }>;
  /** Queue every emitted alert of this commit for the webhook. */
  toWebhook: boolean;
}

export interface StoredAlert {
  seq: number;
  alert: Alert;
  overflow: boolean;
  committedMs: number;
}

export interface OutboxItem {
  seq: number;
  alert: Alert;
  attempts: number;
}

export interface ConnectorStore {
  /** Cursors of these folders (fresh ones for folders never committed). */
  cursors(folders: readonly string[]): FolderCursor[];
  /** The cycle's whole outcome, atomically; returns the rows as stored (with their seq). */
  commitCycle(commit: CycleCommit): StoredAlert[];
  /** Emitted alerts not yet printed (a crash between commit and print prints them next start). */
  unprinted(): StoredAlert[];
  markPrinted(seqs: readonly number[]): void;
  /** Emails committed but not yet marked as read, oldest first. */
  pendingMarkRead(limit: number): Array<{ id: string; folder: string; attempts: number }>;
  /** Marked (or gone): no longer pending. */
  markReadDone(ids: readonly string[]): void;
  /** Counts a failed attempt; the email stays pending for the next cycle. */
  markReadFailed(ids: readonly string[]): void;
  /** Outbox items in commit order whose next attempt is due; stops at the first not due. */
  outboxDue(nowMs: number, limit: number): OutboxItem[];
  outboxDelivered(seq: number): void;
  outboxFailed(seq: number, nextAttemptMs: number, error: string): void;
  /** Emitted alerts of this overflow key committed at or after `sinceMs`. */
  countRecent(key: string, sinceMs: number): number;
  /** Every committed alert, oldest first (`msgraph-mail alerts`). */
  alerts(opts?: { includeOverflow?: boolean }): StoredAlert[];
  close(): void;
}
