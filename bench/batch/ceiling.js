#!/usr/bin/env node
// The in-process ceiling of batch scoring: scoreCsv (CSV parse + validation + the shared transform + ONNX,
// the exact code a worker runs) from a local file to /dev/null, with no queue, no database and no artifact
// store. Same ONNX thread count and chunk size as the worker's defaults.
//
//   node bench/batch/ceiling.js --csv FILE --model PACKAGE_DIR [--threads 1] [--chunk 4096] [--ml ML_DIST_INDEX]
// Prints one JSON object. `--ml` points at another build of ml/dist/index.js (e.g. a copy of the previous
// build, to compare old and new in the same conditions). The per-core figure is rows per CPU-second of this
// process (user + system) while scoring, and the GC share is the time of the 'gc' performance entries over
// the scoring's wall time (they are pauses of the main thread).
'use strict';
const { createWriteStream } = require('node:fs');
const { finished } = require('node:stream/promises');
const { parseArgs } = require('node:util');
const { PerformanceObserver } = require('node:perf_hooks');
const path = require('node:path');

async function main() {
  const { values } = parseArgs({
    options: {
      csv: { type: 'string' },
      model: { type: 'string' },
      threads: { type: 'string', default: '1' },
      chunk: { type: 'string', default: '4096' },
      ml: { type: 'string', default: path.resolve(__dirname, '../../ml/dist/index.js') },
    },
  });
  const ml = require(path.resolve(values.ml));
  const pkg = ml.readPackage(values.model);
  const model = await ml.loadPackageModel(pkg.manifest, pkg.model, Number(values.threads));
  const out = createWriteStream('/dev/null');
  const errors = createWriteStream('/dev/null');
  let gcMs = 0;
  let gcCount = 0;
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcMs += entry.duration;
      gcCount++;
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = await ml.scoreCsv(pkg.manifest, model, values.csv, out, errors, {
    chunkRows: Number(values.chunk),
  });
  out.end();
  errors.end();
  await Promise.all([finished(out), finished(errors)]);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  // The observer is called asynchronously: let the last entries arrive.
  await new Promise((resolve) => setImmediate(resolve));
  gc.disconnect();
  await model.release();
  const usage = process.resourceUsage();
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  process.stdout.write(
    JSON.stringify({
      impl: 'ceiling-scoreCsv',
      ml: values.ml,
      seconds,
      rows_read: result.rowsRead,
      rows_scored: result.rowsScored,
      rows_failed: result.rowsFailed,
      rows_per_second: result.rowsRead / seconds,
      scoring_cpu_seconds: cpuSeconds,
      rows_per_cpu_second: result.rowsRead / cpuSeconds,
      gc_ms: gcMs,
      gc_count: gcCount,
      gc_share: gcMs / 1000 / seconds,
      peak_rss_mb: usage.maxRSS / 1024,
      cpu_seconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
    }) + '\n',
  );
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
