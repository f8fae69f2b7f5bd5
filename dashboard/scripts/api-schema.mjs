// Generates src/api/schema.d.ts from the backend's committed OpenAPI document (openapi-typescript,
// formatted with the repository's prettier config), or with --check regenerates it into a temporary
// file and fails when the committed file differs: a build never runs on a stale client.
// `--spec FILE` reads another OpenAPI document (to try a backend branch before its openapi.json lands).
// Binary schemas (`format: binary`: uploads) are typed as Blob, so a File can be sent as multipart.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import * as prettier from 'prettier';
import ts from 'typescript';

const here = fileURLToPath(new URL('..', import.meta.url));
const specArg = process.argv.indexOf('--spec');
const spec =
  specArg > 0
    ? new URL(process.argv[specArg + 1], `file://${process.cwd()}/`)
    : new URL('../../backend/openapi.json', import.meta.url);
const specName = specArg > 0 ? process.argv[specArg + 1] : 'backend/openapi.json';
const target = join(here, 'src/api/schema.d.ts');
const header = `/**\n * Generated from backend/openapi.json by \`npm run generate:api -w dashboard\`. Do not edit.\n */\n\n`;

async function render() {
  const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier('Blob'));
  const ast = await openapiTS(spec, {
    transform(schema) {
      if (schema.format === 'binary') return BLOB;
      return undefined;
    },
  });
  const options = (await prettier.resolveConfig(target)) ?? {};
  return prettier.format(header + astToString(ast), { ...options, parser: 'typescript' });
}

const text = await render();
if (process.argv.includes('--check')) {
  const dir = mkdtempSync(join(tmpdir(), 'dashboard-api-'));
  try {
    const fresh = join(dir, 'schema.d.ts');
    writeFileSync(fresh, text);
    let committed = '';
    try {
      committed = readFileSync(target, 'utf8');
    } catch {
      // missing: reported as stale below
    }
    if (readFileSync(fresh, 'utf8') !== committed) {
      console.error(
        `dashboard/src/api/schema.d.ts is stale: it does not match ${specName}.\n` +
          'Run `npm run generate:api -w dashboard` and commit the result.',
      );
      process.exitCode = 1;
    } else {
      console.log(`dashboard/src/api/schema.d.ts matches ${specName}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
