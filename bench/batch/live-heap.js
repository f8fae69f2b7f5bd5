#!/usr/bin/env node
// Live heap while scoreCsv scores a file in process: every second a full GC, then heapUsed (what is still
// referenced) and the output stream's buffered bytes. A live heap that grows with the rows read means
// something is kept per row until the end; a flat one means a growing RSS is only V8 sizing its heap.
//
//   node --expose-gc bench/batch/live-heap.js --csv FILE --model PACKAGE_DIR
// Prints one JSON object. Not a test: nothing here asserts.
'use strict';
const { createWriteStream } = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

async function main() {
  if (typeof gc !== 'function') throw new Error('run with node --expose-gc');
  const { values } = parseArgs({ options: { csv: { type: 'string' }, model: { type: 'string' } } });
  const ml = require(path.resolve(__dirname, '../../ml/dist/index.js'));
  const pkg = ml.readPackage(values.model);
  const model = await ml.loadPackageModel(pkg.manifest, pkg.model, 1);
  const out = createWriteStream('/dev/null');
  const mb = (bytes) => Math.round(bytes / 1e6);
  const samples = [];
  const timer = setInterval(() => {
    gc();
    samples.push({
      live_heap_mb: mb(process.memoryUsage().heapUsed),
      output_buffered_mb: mb(out.writableLength),
    });
  }, 1000);
  const result = await ml.scoreCsv(pkg.manifest, model, values.csv, out, createWriteStream('/dev/null'), {
    chunkRows: 4096,
  });
  clearInterval(timer);
  gc();
  process.stdout.write(
    JSON.stringify({
      rows_read: result.rowsRead,
      each_second: samples,
      live_heap_mb_after: mb(process.memoryUsage().heapUsed),
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    }) + '\n',
  );
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
