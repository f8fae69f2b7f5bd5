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
