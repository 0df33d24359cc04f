// Opens the SQLite file and brings its schema up to date (migrations.ts); one connection serves the store and the
// checkpointer.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { DataError, isBusy } from '../errors.js';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

/** How long opening waits for other processes (a migration, WAL set-up) before saying the file is busy. */
const OPEN_WAIT_MS = 10_000;

export function openDb(file: string): Db {
  if (file !== ':memory:') {
    try {
      mkdirSync(dirname(file), { recursive: true });
    } catch (err) {
      throw new DataError(
        `Cannot open the database ${file} (PACING_DB): ${(err as Error).message}`,
        file,
        null,
        'data_unreadable',
      );
    }
  }
  const deadline = Date.now() + OPEN_WAIT_MS;
  for (;;) {
    let db: Db | null = null;
    try {
      db = new Database(file);
      // Wait for another process's write before anything else (switching to WAL writes too).
      db.pragma('busy_timeout = 5000');
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      db.pragma('synchronous = NORMAL');
      migrate(db);
      return db;
    } catch (err) {
      db?.close();
      if (err instanceof DataError) throw err;
      // Some lock upgrades (a fresh file turning to WAL while others open it) fail at once instead of waiting.
      if (isBusy(err) && Date.now() < deadline) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50 + Math.random() * 100);
        continue;
      }
      throw new DataError(
        isBusy(err)
          ? `The database ${file} (PACING_DB) stayed locked for ${OPEN_WAIT_MS / 1000} s: another process is writing to it (a Pacing Agent run, or a tool holding it open). Try again when it has finished.`
          : `Cannot open the database ${file} (PACING_DB): ${(err as Error).message}`,
        file,
        null,
        'data_unreadable',
      );
    }
  }
}

/**
 * Opens the file for reading only: nothing is migrated or written (a replay must leave the database as it found
 * it). Null when there is no database yet; an error when its schema is not the one this version reads.
 */
export function openReadOnlyDb(file: string): Db | null {
  if (file === ':memory:' || !existsSync(file)) return null;
  let db: Db | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version !== MIGRATIONS.length) {
      throw new DataError(
        version > MIGRATIONS.length
          ? `The database was written by a newer Pacing Agent (schema ${version}, this one knows ${MIGRATIONS.length}); upgrade the app.`
          : `The database's schema (${version}) is older than this version's (${MIGRATIONS.length}): run any other command (npx pacing status) once to bring it up to date.`,
        file,
      );
    }
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof DataError) throw err;
    throw new DataError(
      `Cannot open the database ${file} (PACING_DB) for reading: ${(err as Error).message}`,
      file,
      null,
      'data_unreadable',
    );
  }
}

/**
 * Brings the schema up to date in one immediate transaction: the version is read inside it, so processes
 * starting together on a fresh file wait for one another and each migration runs exactly once.
 */
function migrate(db: Db): void {
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > MIGRATIONS.length) {
      throw new DataError(
        `The database was written by a newer Pacing Agent (schema ${current}, this one knows ${MIGRATIONS.length}); upgrade the app.`,
        db.name,
      );
    }
    for (let v = current; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v] as string);
    if (current < MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}
