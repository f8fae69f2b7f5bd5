// Backup and restore of the local (embedded) platform: the SQLite database and the file:// artifact
// store. Used by scripts/backup.sh and scripts/restore.sh; README "Operations" describes Postgres + S3.
//
//   node scripts/backup.mjs backup  [DIR]   (default .data/backups/<UTC time>)
//   node scripts/backup.mjs restore DIR [--force]
//
// Backup is online: SQLite's backup API copies a consistent snapshot while the API runs; the database is
// copied before the artifacts, and every artifact a row points at was written before its row, so the copy
// never has a row without its files. Restore checks every checksum in the backup's manifest first, then
// puts the database and the artifact directory in place by rename (the previous ones are kept aside).
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(ROOT, 'backend', 'package.json'));

function fail(message) {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

/** The README's defaults; only the embedded setup (sqlite: + file://) is handled here. */
function locations() {
  const db = process.env.DATABASE_URL || 'sqlite:.data/housing.sqlite';
  const store = process.env.ARTIFACT_STORE || 'file://.data/artifacts';
  if (!db.startsWith('sqlite:'))
    fail('DATABASE_URL is not sqlite:…; back up PostgreSQL with pg_dump (README "Operations")');
  if (!store.startsWith('file://'))
    fail(
      'ARTIFACT_STORE is not file://…; back up the S3 bucket with its versioning or aws s3 sync (README "Operations")',
    );
  return {
    db: path.resolve(db.slice('sqlite:'.length)),
    artifacts: path.resolve(store.slice('file://'.length)),
  };
}

async function sha256(file) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return hash.digest('hex');
}

function filesUnder(dir, base = dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return filesUnder(full, base);
    return e.isFile() ? [path.relative(base, full)] : [];
  });
}

async function backup(dest) {
  const { db, artifacts } = locations();
  if (!existsSync(db)) fail(`no database at ${db}`);
  const out = path.resolve(
    dest ?? path.join('.data', 'backups', new Date().toISOString().replace(/[:.]/g, '-')),
  );
  if (existsSync(out) && readdirSync(out).length > 0) fail(`${out} exists and is not empty`);
  const tmp = `${out}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    const Database = require('better-sqlite3');
    const source = new Database(db, { readonly: true, fileMustExist: true });
    try {
      await source.backup(path.join(tmp, 'housing.sqlite'));
    } finally {
      source.close();
    }
    const files = filesUnder(artifacts).filter((f) => !/\.tmp-|\.partial/.test(f));
    const manifest = {
      createdAt: new Date().toISOString(),
      database: { file: 'housing.sqlite', sha256: await sha256(path.join(tmp, 'housing.sqlite')) },
      artifacts: {},
    };
    if (files.length > 0) {
      writeFileSync(path.join(tmp, 'artifacts.list'), files.join('\n') + '\n');
      execFileSync('tar', [
        '-C',
        artifacts,
        '-cf',
        path.join(tmp, 'artifacts.tar'),
        '-T',
        path.join(tmp, 'artifacts.list'),
      ]);
      rmSync(path.join(tmp, 'artifacts.list'));
      for (const f of files) manifest.artifacts[f] = await sha256(path.join(artifacts, f));
    }
    writeFileSync(path.join(tmp, 'MANIFEST.json'), JSON.stringify(manifest, null, 2) + '\n');
    rmSync(out, { recursive: true, force: true });
    renameSync(tmp, out);
    process.stdout.write(`backup: ${out} (database + ${files.length} artifacts)\n`);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
}

async function restore(from, force) {
  if (!from) fail('usage: restore.sh BACKUP_DIR [--force]');
  const dir = path.resolve(from);
  const manifestFile = path.join(dir, 'MANIFEST.json');
  if (!existsSync(manifestFile)) fail(`${dir} is not a backup (no MANIFEST.json)`);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  const { db, artifacts } = locations();
  if (!force && (existsSync(db) || filesUnder(artifacts).length > 0))
    fail(
      `${db} or ${artifacts} holds data: stop the platform and pass --force to replace it (the current data is kept aside)`,
    );
  if ((await sha256(path.join(dir, manifest.database.file))) !== manifest.database.sha256)
    fail('the backup database does not match its checksum');
  const stamp = `${Date.now()}-${process.pid}`;
  const stagedArtifacts = `${artifacts}.restoring-${stamp}`;
  mkdirSync(stagedArtifacts, { recursive: true });
  try {
    const names = Object.keys(manifest.artifacts);
    if (names.length > 0)
      execFileSync('tar', ['-C', stagedArtifacts, '-xf', path.join(dir, 'artifacts.tar')]);
    for (const name of names)
      if ((await sha256(path.join(stagedArtifacts, name))) !== manifest.artifacts[name])
        fail(`artifact ${name} does not match its checksum in the backup`);
    const stagedDb = `${db}.restoring-${stamp}`;
    mkdirSync(path.dirname(db), { recursive: true });
    writeFileSync(stagedDb, readFileSync(path.join(dir, manifest.database.file)));
    // The previous data goes aside, never deleted: a wrong restore can be undone by hand.
    for (const [target, staged] of [
      [artifacts, stagedArtifacts],
      [db, stagedDb],
    ]) {
      if (existsSync(target)) renameSync(target, `${target}.before-restore-${stamp}`);
      for (const suffix of ['-wal', '-shm'])
        if (target === db && existsSync(db + suffix))
          renameSync(db + suffix, `${db}.before-restore-${stamp}${suffix}`);
      renameSync(staged, target);
    }
    process.stdout.write(
      `restore: ${dir} → ${db} and ${artifacts} (${names.length} artifacts, checksums verified)\n`,
    );
  } finally {
    rmSync(stagedArtifacts, { recursive: true, force: true });
  }
}

const [command, arg, flag] = process.argv.slice(2);
if (command === 'backup') await backup(arg);
else if (command === 'restore') await restore(arg, flag === '--force' || arg === '--force');
else fail('usage: backup.mjs backup [DIR] | restore DIR [--force]');
