/**
 * The embedded ConnectorStore: one SQLite database in `--state-dir` (better-sqlite3 12.x; 13.x
 * crashes on Node 20). WAL with synchronous FULL: a commit survives a SIGKILL and a power cut.
 *
 * One connector per state dir: `connector.lock` is a second SQLite file held in an exclusive
 * transaction for the life of the process. The kernel drops the lock when the process dies
 * however it dies, so a crash never leaves a stale lock behind (a pid file would).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Alert } from './alert.ts';
import type { ConnectorStore, CycleCommit, FolderCursor, OutboxItem, StoredAlert } from './store.ts';

export const STATE_FILE = 'connector.sqlite';
export const LOCK_FILE = 'connector.lock';
const SCHEMA_VERSION = 1;

/** Another connector holds the state dir. */
export class StateDirBusyError extends Error {
  override readonly name = 'StateDirBusyError';
  constructor(readonly stateDir: string) {
    super(`Another connector is using the state dir "${stateDir}" (it holds ${LOCK_FILE}); stop it first or use another --state-dir.`);
  }
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS folders (
  folder TEXT PRIMARY KEY,
  folder_id TEXT NOT NULL,
  cursor_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS seen (
  folder TEXT NOT NULL,
  message_id TEXT NOT NULL,
  received_ms INTEGER NOT NULL,
  PRIMARY KEY (folder, message_id)
);
CREATE INDEX IF NOT EXISTS seen_by_age ON seen (folder, received_ms);
CREATE TABLE IF NOT EXISTS alerts (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  ticket_id TEXT NOT NULL UNIQUE,
  source_message_id TEXT NOT NULL,
  overflow_key TEXT NOT NULL,
  overflow INTEGER NOT NULL,
  committed_ms INTEGER NOT NULL,
  printed INTEGER NOT NULL DEFAULT 0,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_by_key ON alerts (overflow_key, committed_ms) WHERE overflow = 0;
CREATE INDEX IF NOT EXISTS alerts_unprinted ON alerts (seq) WHERE printed = 0;
CREATE TABLE IF NOT EXISTS mark_read (
  message_id TEXT PRIMARY KEY,
  folder TEXT NOT NULL,
  added_seq INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY REFERENCES alerts (seq),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER NOT NULL,
  last_error TEXT
);
`;

/** Key of the overflow rule: alerts of one environment, product and rule generator. */
export function overflowKey(a: Pick<Alert, 'environment' | 'device_product' | 'rule_generator'>): string {
  return JSON.stringify([a.environment, a.device_product, a.rule_generator]);
}

interface AlertRow {
  seq: number;
  overflow: number;
  committed_ms: number;
  body: string;
}

const toStored = (r: AlertRow): StoredAlert => ({ seq: r.seq, alert: JSON.parse(r.body) as Alert, overflow: r.overflow === 1, committedMs: r.committed_ms });

export interface OpenOptions {
  /** Read the state without writing it or taking the lock (`--test-run`, `alerts`). A missing database reads as empty. */
  readOnly?: boolean;
}

export function openSqliteStore(stateDir: string, opts: OpenOptions = {}): ConnectorStore {
  const file = path.join(stateDir, STATE_FILE);
  let lock: Database.Database | undefined;
  let db: Database.Database;
  if (opts.readOnly) {
    try {
      db = new Database(file, { readonly: true, fileMustExist: true });
    } catch {
      // Nothing committed yet: an empty schema in memory reads the same.
      db = new Database(':memory:');
      db.exec(SCHEMA);
    }
  } else {
    mkdirSync(stateDir, { recursive: true });
    lock = new Database(path.join(stateDir, LOCK_FILE), { timeout: 0 });
    try {
      lock.pragma('locking_mode = EXCLUSIVE');
      lock.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER); BEGIN EXCLUSIVE; DELETE FROM holder;');
      lock.prepare('INSERT INTO holder (pid) VALUES (?)').run(process.pid);
    } catch (err) {
      lock.close();
      if ((err as { code?: string }).code === 'SQLITE_BUSY' || (err as { code?: string }).code === 'SQLITE_LOCKED') throw new StateDirBusyError(stateDir);
      throw err;
    }
    db = new Database(file, { timeout: 5000 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(SCHEMA);
    const version = db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get('schema_version') as string | undefined;
    if (version === undefined) db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('schema_version', String(SCHEMA_VERSION));
    else if (Number(version) > SCHEMA_VERSION) throw new Error(`The state in "${stateDir}" was written by a newer msgraph-mail (schema ${version}); this one reads ${SCHEMA_VERSION}.`);
  }

  const folderRow = db.prepare<[string], { folder_id: string; cursor_ms: number }>('SELECT folder_id, cursor_ms FROM folders WHERE folder = ?');
  const seenRows = db.prepare<[string], { message_id: string; received_ms: number }>('SELECT message_id, received_ms FROM seen WHERE folder = ?');

  const store: ConnectorStore = {
    cursors(folders) {
      return folders.map((folder): FolderCursor => {
        const row = folderRow.get(folder);
        const seen = new Map(seenRows.all(folder).map((r) => [r.message_id, r.received_ms] as const));
        return { folder, folderId: row?.folder_id ?? null, cursorMs: row?.cursor_ms ?? null, seen };
      });
    },

    commitCycle: (() => {
      if (opts.readOnly) return () => { throw new Error('read-only connector state'); };
      const upsertFolder = db.prepare('INSERT INTO folders (folder, folder_id, cursor_ms) VALUES (?, ?, ?) ON CONFLICT (folder) DO UPDATE SET folder_id = excluded.folder_id, cursor_ms = excluded.cursor_ms');
      const addSeen = db.prepare('INSERT OR REPLACE INTO seen (folder, message_id, received_ms) VALUES (?, ?, ?)');
      const forget = db.prepare('DELETE FROM seen WHERE folder = ? AND received_ms < ?');
      const addAlert = db.prepare<[string, string, string, number, number, string]>(
        'INSERT INTO alerts (ticket_id, source_message_id, overflow_key, overflow, committed_ms, body) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (ticket_id) DO NOTHING RETURNING seq',
      );
      const addMarkRead = db.prepare('INSERT OR IGNORE INTO mark_read (message_id, folder, added_seq) VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) FROM alerts))');
      const addOutbox = db.prepare('INSERT INTO outbox (seq, next_attempt_ms) VALUES (?, ?)');
      return db.transaction((c: CycleCommit): StoredAlert[] => {
        const stored: StoredAlert[] = [];
        for (const { alert, overflow } of c.alerts) {
          const row = addAlert.get(alert.ticket_id, alert.source_message_id, overflowKey(alert), overflow ? 1 : 0, c.nowMs, JSON.stringify(alert)) as { seq: number } | undefined;
          // A ticket id already stored is the same email again: the SOAR would drop it, so do we.
          if (!row) continue;
          stored.push({ seq: row.seq, alert, overflow, committedMs: c.nowMs });
          if (c.toWebhook && !overflow) addOutbox.run(row.seq, c.nowMs);
        }
        for (const f of c.folders) {
          upsertFolder.run(f.folder, f.folderId, f.cursorMs);
          for (const t of f.taken) addSeen.run(f.folder, t.id, t.receivedMs);
          forget.run(f.folder, f.forgetBeforeMs);
        }
        for (const m of c.markRead) addMarkRead.run(m.id, m.folder);
        return stored;
      });
    })(),

    unprinted() {
      return (db.prepare('SELECT seq, overflow, committed_ms, body FROM alerts WHERE printed = 0 AND overflow = 0 ORDER BY seq').all() as AlertRow[]).map(toStored);
    },

    markPrinted(seqs) {
      if (opts.readOnly) return;
      const mark = db.prepare('UPDATE alerts SET printed = 1 WHERE seq = ?');
      db.transaction(() => seqs.forEach((s) => mark.run(s)))();
    },

    pendingMarkRead(limit) {
      return (db.prepare('SELECT message_id, folder, attempts FROM mark_read ORDER BY added_seq, rowid LIMIT ?').all(limit) as Array<{ message_id: string; folder: string; attempts: number }>).map((r) => ({
        id: r.message_id,
        folder: r.folder,
        attempts: r.attempts,
      }));
    },

    markReadDone(ids) {
      const del = db.prepare('DELETE FROM mark_read WHERE message_id = ?');
      db.transaction(() => ids.forEach((id) => del.run(id)))();
    },

    markReadFailed(ids) {
      const bump = db.prepare('UPDATE mark_read SET attempts = attempts + 1 WHERE message_id = ?');
      db.transaction(() => ids.forEach((id) => bump.run(id)))();
    },

    outboxDue(nowMs, limit) {
      const rows = db
        .prepare('SELECT o.seq, o.attempts, o.next_attempt_ms, a.body FROM outbox o JOIN alerts a ON a.seq = o.seq ORDER BY o.seq LIMIT ?')
        .all(limit) as Array<{ seq: number; attempts: number; next_attempt_ms: number; body: string }>;
      const due: OutboxItem[] = [];
      // In commit order: an item not yet due holds back every later one.
      for (const r of rows) {
        if (r.next_attempt_ms > nowMs) break;
        due.push({ seq: r.seq, alert: JSON.parse(r.body) as Alert, attempts: r.attempts });
      }
      return due;
    },

    outboxDelivered(seq) {
      db.prepare('DELETE FROM outbox WHERE seq = ?').run(seq);
    },

    outboxFailed(seq, nextAttemptMs, error) {
      db.prepare('UPDATE outbox SET attempts = attempts + 1, next_attempt_ms = ?, last_error = ? WHERE seq = ?').run(nextAttemptMs, error.slice(0, 500), seq);
    },

    countRecent(key, sinceMs) {
      return db.prepare('SELECT COUNT(*) FROM alerts WHERE overflow_key = ? AND overflow = 0 AND committed_ms >= ?').pluck().get(key, sinceMs) as number;
    },

    alerts(o = {}) {
      const sql = o.includeOverflow ? 'SELECT seq, overflow, committed_ms, body FROM alerts ORDER BY seq' : 'SELECT seq, overflow, committed_ms, body FROM alerts WHERE overflow = 0 ORDER BY seq';
      return (db.prepare(sql).all() as AlertRow[]).map(toStored);
    },

    close() {
      db.close();
      lock?.close();
    },
  };
  return store;
}
