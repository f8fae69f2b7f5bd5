import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { postgresBinDir } from './binaries';
import { ServiceProcess, freePort } from './process';

const run = promisify(execFile);

/** The part of node-postgres used here (the backend has no @types/pg; TypeORM loads pg itself). */
interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<{ rows: Array<Record<string, unknown>> }>;
  end(): Promise<void>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Client } = require('pg') as {
  Client: new (options: { connectionString: string; connectionTimeoutMillis?: number }) => PgClient;
};

export interface PostgresService {
  readonly port: number;
  /** postgres://postgres@127.0.0.1:PORT/postgres (superuser, trust auth). */
  readonly url: string;
  /** URL of database `name` on this server. */
  urlFor(name: string): string;
  /** CREATE DATABASE with a fresh name (or `name`); returns its URL. */
  createDatabase(name?: string): Promise<{ name: string; url: string }>;
  /** DROP DATABASE … WITH (FORCE), ignoring a missing one. */
  dropDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
  output(): string;
}

/** The uid/gid to run PostgreSQL as: the `postgres` user when we are root (it refuses to run as root), ourselves otherwise. */
async function serverUser(): Promise<{ uid?: number; gid?: number; home?: string }> {
  if (process.getuid?.() !== 0) return {};
  try {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    return { uid, gid };
  } catch {
    throw new Error(
      'running as root but there is no `postgres` OS user (Debian package postgresql creates it)',
    );
  }
}

/** Connects to `url`, runs `fn`, disconnects. */
export async function withClient<T>(url: string, fn: (client: PgClient) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * A throwaway PostgreSQL cluster: initdb into a temp dir (trust auth, no fsync), the server on a free
 * loopback port with its socket in that dir, run as the `postgres` OS user when we are root.
 */
export async function startPostgres(options: { port?: number } = {}): Promise<PostgresService> {
  const bin = postgresBinDir();
  const user = await serverUser();
  const base = mkdtempSync(path.join(os.tmpdir(), 'housing-pg-'));
  const data = path.join(base, 'data');
  if (user.uid !== undefined) chownSync(base, user.uid, user.gid!);
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C', HOME: base, PGTZ: 'UTC' };
  try {
    await run(
      path.join(bin, 'initdb'),
      [
        '-D',
        data,
        '--username=postgres',
        '--auth=trust',
        '--encoding=UTF8',
        '--locale=C',
        '--no-sync',
        '--no-instructions',
      ],
      { env, cwd: base, uid: user.uid, gid: user.gid },
    );
  } catch (error) {
    rmSync(base, { recursive: true, force: true });
    const e = error as { stderr?: string; message: string };
    throw new Error(`initdb failed: ${e.stderr || e.message}`, { cause: error });
  }

  const port = options.port ?? (await freePort());
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const proc = new ServiceProcess({
    name: `postgres:${port}`,
    command: path.join(bin, 'postgres'),
    args: [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      base,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=300',
      '-c',
      'shared_buffers=64MB',
      '-c',
      'log_min_messages=warning',
      '-c',
      'TimeZone=UTC',
    ],
    env,
    cwd: base,
    uid: user.uid,
    gid: user.gid,
    // SIGINT is PostgreSQL's "fast" shutdown: it does not wait for clients to disconnect.
    stopSignal: 'SIGINT',
    cleanupDir: base,
  });
  try {
    await proc.waitUntil(() =>
      withClient(url, async (c) => (await c.query('SELECT 1 AS ok')).rows[0]?.ok === 1),
    );
  } catch (error) {
    await proc.stop('SIGKILL');
    rmSync(base, { recursive: true, force: true });
    throw error;
  }

  return {
    port,
    ...postgresAt(url),
    async stop() {
      await proc.stop();
      rmSync(base, { recursive: true, force: true });
    },
    output: () => proc.output(),
  };
}

/** Database helpers against a server started elsewhere (e.g. by globalSetup): `adminUrl` is its `postgres` database. */
export function postgresAt(
  adminUrl: string,
): Pick<PostgresService, 'url' | 'urlFor' | 'createDatabase' | 'dropDatabase'> {
  const base = new URL(adminUrl);
  const urlFor = (name: string): string => {
    const u = new URL(base.href);
    u.pathname = `/${encodeURIComponent(name)}`;
    return u.href;
  };
  let counter = 0;
  return {
    url: adminUrl,
    urlFor,
    async createDatabase(
      name = `test_${process.pid}_${Date.now().toString(36)}_${++counter}_${Math.random().toString(36).slice(2, 8)}`,
    ) {
      await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
      return { name, url: urlFor(name) };
    },
    async dropDatabase(name: string) {
      await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
    },
  };
}
