#!/usr/bin/env node
// The in-process ceiling of batch scoring: scoreCsv (CSV parse + validation + the shared transform + ONNX,
// the exact code a worker runs) from a local file to /dev/null, with no queue, no database and no artifact
// store. Same ONNX thread count and chunk size as the worker's defaults.
//
//   node bench/batch/ceiling.js --csv FILE --model PACKAGE_DIR [--threads 1] [--chunk 4096]
// Prints one JSON object.
'use strict';
const { createWriteStream } = require('node:fs');
const { finished } = require('node:stream/promises');
const { parseArgs } = require('node:util');
const path = require('node:path');

const ml = require(path.resolve(__dirname, '../../ml/dist/index.js'));

async function main() {
  const { values } = parseArgs({
    options: { csv: { type: 'string' }, model: { type: 'string' }, threads: { type: 'string', default: '1' }, chunk: { type: 'string', default: '4096' } },
  });
  const pkg = ml.readPackage(values.model);
  const model = await ml.loadPackageModel(pkg.manifest, pkg.model, Number(values.threads));
  const out = createWriteStream('/dev/null');
  const errors = createWriteStream('/dev/null');
  const started = performance.now();
  const result = await ml.scoreCsv(pkg.manifest, model, values.csv, out, errors, { chunkRows: Number(values.chunk) });
  out.end();
  errors.end();
  await Promise.all([finished(out), finished(errors)]);
  const seconds = (performance.now() - started) / 1000;
  await model.release();
  const usage = process.resourceUsage();
  process.stdout.write(
    JSON.stringify({
      impl: 'ceiling-scoreCsv',
      seconds,
      rows_read: result.rowsRead,
      rows_scored: result.rowsScored,
      rows_failed: result.rowsFailed,
      rows_per_second: result.rowsRead / seconds,
      peak_rss_mb: usage.maxRSS / 1024,
      cpu_seconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
    }) + '\n',
  );
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
