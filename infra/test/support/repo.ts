import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

/** The repository root (infra/test/support -> ../../..). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

export const repoPath = (relative: string): string => path.join(REPO_ROOT, relative);
export const exists = (relative: string): boolean => existsSync(repoPath(relative));
export const read = (relative: string): string => readFileSync(repoPath(relative), 'utf8');

/** YAML as compose and GitHub read it: merge keys (<<) on, duplicate keys an error. */
export function readYaml<T = Record<string, unknown>>(relative: string): T {
  return parse(read(relative), { merge: true, uniqueKeys: true, strict: true }) as T;
}

/**
 * The variables the backend reads: the keys of its configuration schema (backend/src/config/config.ts),
 * the source of truth the README's table is written from.
 */
export function configSchemaKeys(): string[] {
  const source = read('backend/src/config/config.ts');
  const body = /const schema = z\.object\(\{([\s\S]*?)\n\}\);/.exec(source)?.[1];
  if (!body) throw new Error('backend/src/config/config.ts: no `const schema = z.object({ … });`');
  const keys = [...body.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!);
  if (keys.length < 5) throw new Error(`backend/src/config/config.ts: only ${keys.length} schema keys found`);
  return keys;
}

/** Variables the AWS SDK reads itself (credentials, region): allowed beside the schema's. */
export const isAwsSdkVariable = (name: string): boolean => /^AWS_[A-Z0-9_]+$/.test(name);

/** The variable names in the README's configuration table (rows starting with | `NAME` |). */
export function readmeConfigVariables(): string[] {
  const readme = read('README.md');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Configuration'));
  if (!section) throw new Error('README.md has no "## Configuration" section');
  return [...section.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]!);
}

/** Workspaces of the root package.json with their package names (only those whose folder exists). */
export function workspaces(): { dir: string; name: string; scripts: Record<string, string> }[] {
  const root = JSON.parse(read('package.json')) as { workspaces: string[] };
  return root.workspaces
    .filter((dir) => exists(`${dir}/package.json`))
    .map((dir) => {
      const pkg = JSON.parse(read(`${dir}/package.json`)) as {
        name: string;
        scripts?: Record<string, string>;
      };
      return { dir, name: pkg.name, scripts: pkg.scripts ?? {} };
    });
}

/** Files under a directory (relative to the repository root), recursively, skipping node_modules. */
export function listFiles(relativeDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(repoPath(dir))) {
      if (entry === 'node_modules') continue;
      const rel = path.posix.join(dir, entry);
      if (statSync(repoPath(rel)).isDirectory()) walk(rel);
      else out.push(rel);
    }
  };
  walk(relativeDir);
  return out;
}

/**
 * Images the project must not name, and why: withdrawn from their registry (a fresh machine cannot
 * pull them), or on a release line that no longer gets fixes. Checked on docker/compose.yaml and
 * every Dockerfile's base images.
 */
export const DENIED_IMAGES: { pattern: RegExp; reason: string }[] = [
  {
    pattern: /^(quay\.io\/)?minio\/(minio|mc)(:|@|$)/,
    reason: 'MinIO community images were withdrawn in 2026',
  },
  {
    pattern: /^node:(\d|1\d|2[0-3])(\.|-|$)/,
    reason: 'Node before 24: 20 ended 2026-04-30, the project runs 24 (.node-version)',
  },
  {
    pattern: /^python:3\.([0-9]|1[01])(\.|-|$)/,
    reason: 'Python before 3.12 holds numpy, scipy and xgboost back',
  },
  {
    pattern: /^redis:([0-6]\.|7\.[0-3]\.|7\.4\.[0-5](\D|$))/,
    reason: 'Redis before 7.4.6 carries the Lua use-after-free BullMQ’s scripts could reach',
  },
  { pattern: /^nginxinc\/nginx-unprivileged:1\.(1\d|2\d)\./, reason: 'an ended nginx line (stable is 1.30)' },
  { pattern: /^postgres:(9|1[0-5])(\.|-|$)/, reason: 'PostgreSQL before 16' },
  {
    pattern: /^motoserver\/moto(:|@|$)/,
    reason: 'moto is a test mock that keeps objects in memory: a restart loses every model and dataset',
  },
  {
    // Prometheus fixes only its newest minor and its LTS lines (RELEASE.md): 2.x ended with the 2.53 LTS,
    // the 3.5 LTS ended in July 2026, and 3.16 (2026-11-04) is the newest release, with no newer LTS.
    pattern: /^prom\/prometheus:v?([0-2]\.|3\.([0-9]|1[0-5])\.)/,
    reason: 'an ended Prometheus line (2.x, the 3.5 LTS, a 3.x minor before 3.16)',
  },
  {
    // Grafana fixes the newest major's recent minors and the previous major's last minor (12.4).
    pattern: /^grafana\/grafana(-oss|-enterprise)?:([0-9]\.|1[01]\.|12\.[0-3]\.)/,
    reason: 'an ended Grafana line (before 12.4; 13.x is current)',
  },
];

/** Why an image is denied (DENIED_IMAGES), or undefined when it is not. */
export function deniedImage(image: string): string | undefined {
  return DENIED_IMAGES.find((d) => d.pattern.test(image))?.reason;
}
