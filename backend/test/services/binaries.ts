import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

const INSTALL_HINT = 'run scripts/install-deps.sh (as root) to install the test services';

/** The path of `name` on PATH (or the absolute path itself); throws naming the Debian package otherwise. */
export function findExecutable(name: string, debianPackage: string): string {
  if (path.isAbsolute(name)) {
    if (existsSync(name)) return name;
  } else {
    for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
      const candidate = path.join(dir, name);
      if (dir && existsSync(candidate)) return candidate;
    }
    for (const dir of ['/usr/sbin', '/usr/local/bin', '/usr/bin', '/opt/homebrew/bin']) {
      const candidate = path.join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
  }
  throw new Error(`${name} not found (Debian package ${debianPackage}); ${INSTALL_HINT}`);
}

/** The directory with PostgreSQL's server binaries (initdb, postgres): $PG_BIN, /usr/lib/postgresql/<newest>/bin, or pg_config's. */
export function postgresBinDir(): string {
  const candidates: string[] = [];
  if (process.env.PG_BIN) candidates.push(process.env.PG_BIN);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => path.join(debian, v, 'bin')));
  }
  try {
    candidates.push(
      execFileSync('pg_config', ['--bindir'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim(),
    );
  } catch {
    // no pg_config on PATH
  }
  const found = candidates.find(
    (dir) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'postgres')),
  );
  if (!found)
    throw new Error(`PostgreSQL server binaries not found (Debian package postgresql); ${INSTALL_HINT}`);
  return found;
}
