import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DASHBOARDS, dashboardFileText } from './dashboards';

/**
 * `npm run dashboards -w backend` writes docker/grafana/dashboards/*.json from dashboards.ts;
 * with --check it exits 1 naming the stale files instead (dashboards.test.ts runs the same check).
 */
export const DASHBOARDS_DIR = path.resolve(__dirname, '..', '..', '..', 'docker', 'grafana', 'dashboards');

export function staleDashboards(dir = DASHBOARDS_DIR): string[] {
  return DASHBOARDS.filter((d) => {
    try {
      return readFileSync(path.join(dir, d.file), 'utf8') !== dashboardFileText(d);
    } catch {
      return true;
    }
  }).map((d) => d.file);
}

function main(argv: string[]): number {
  if (argv.includes('--check')) {
    const stale = staleDashboards();
    if (stale.length === 0) return 0;
    process.stderr.write(`stale dashboards: ${stale.join(', ')}; run npm run dashboards -w backend\n`);
    return 1;
  }
  for (const d of DASHBOARDS) {
    const file = path.join(DASHBOARDS_DIR, d.file);
    writeFileSync(`${file}.tmp`, dashboardFileText(d));
    renameSync(`${file}.tmp`, file);
    process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
  }
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
