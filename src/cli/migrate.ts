// `pacing migrate [--from <sqlite-file>]`: brings the database's schema up to date and says what it did, alone
// (serve does it at start too); with --from, copies a SQLite database into an empty PostgreSQL one.
import type { Config } from '../config.js';
import { databaseEngine, type MigrateDoc, migrateDatabase } from '../migrate-database.js';
import { type Io, json, type Options, UsageError } from './commands.js';

export async function migrate(config: Config, options: Options, io: Io): Promise<void> {
  if (options.from !== undefined && databaseEngine(config.dbPath) === 'sqlite')
    throw new UsageError('--from copies a SQLite database into PostgreSQL: set PACING_DB to a postgres:// URL first.');
  const doc = await migrateDatabase(config.dbPath, options.from, config.dbPassword);
  if (options.json) return json(io, doc);
  io.out(describe(doc));
}

function describe(doc: MigrateDoc): string {
  const where =
    doc.engine === 'postgres' ? `PostgreSQL ${doc.database} (schema ${doc.schema})` : `SQLite ${doc.database}`;
  const n = (count: number, what: string) => `${count.toLocaleString('en-US')} ${what}${count === 1 ? '' : 's'}`;
  const lines = [
    doc.applied.length === 0
      ? `${where} is at schema ${doc.to}: nothing to migrate.`
      : `${where}: migrated from schema ${doc.from} to ${doc.to} (${n(doc.applied.length, 'migration')}).`,
  ];
  if (doc.engine === 'postgres') lines.push("The checkpointer's tables are ready.");
  if (doc.copied) {
    const counts = Object.entries(doc.copied.tables)
      .filter(([, count]) => count > 0)
      .map(([table, count]) => `${table} ${count.toLocaleString('en-US')}`);
    lines.push(
      `Copied ${doc.copied.source}: ${counts.length ? counts.join(', ') : 'no rows'}; ${n(doc.copied.threads, 'escalation thread')} (${n(doc.copied.checkpoints, 'checkpoint')}).`,
    );
  }
  return lines.join('\n');
}
