import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createApp } from './app.factory';
import { loadConfig } from './config/config';
import { buildOpenApiDocument } from './openapi/setup';

/**
 * Writes the OpenAPI document the code produces to backend/openapi.json, or with --check fails when
 * the committed file differs (CI runs the check, so the dashboard's generated client never drifts).
 */
async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const file = path.resolve(args.find((a) => !a.startsWith('--')) ?? 'openapi.json');
  const config = loadConfig({
    DATABASE_URL: 'sqlite::memory:',
    ARTIFACT_STORE: `file://${path.join(os.tmpdir(), 'housing-openapi-artifacts')}`,
    LOG_LEVEL: 'silent',
    MODEL_RECONCILE_INTERVAL_MS: '0',
    REDIS_URL: 'redis://127.0.0.1:1',
  });
  const app = await createApp(config);
  const text = JSON.stringify(buildOpenApiDocument(app), null, 2) + '\n';
  await app.close();
  if (check) {
    let committed = '';
    try {
      committed = readFileSync(file, 'utf8');
    } catch {
      // reported below as a difference
    }
    if (committed !== text) {
      process.stderr.write(
        `${file} is out of date with the code: run \`npm run openapi -w backend\` and commit it\n`,
      );
      return 1;
    }
    process.stdout.write(`${file} matches the code\n`);
    return 0;
  }
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
  process.stdout.write(`wrote ${file}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(1);
  },
);
