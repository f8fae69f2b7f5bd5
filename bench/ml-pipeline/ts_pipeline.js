#!/usr/bin/env node
/**
 * One pass of our data preparation, timed per stage, in a fresh process:
 *   load+clean (prepareDataset: stream the CSV, clean, dedupe, split)
 *   fit encoders (fitFeatures, train split only)
 *   transform+write (writeFeatureMatrices: X_*.npy / y_*.npy through the shared transformInto)
 * then, after the pipeline's peak RSS has been recorded, a separate measurement of transformInto alone
 * over every row into a reusable buffer.
 *
 * Usage: node ts_pipeline.js --csv FILE [--out DIR] [--keep] [--no-transform-bench]
 *   --out DIR  where the matrices are written (default: a fresh temp dir, removed unless --keep)
 *   --no-transform-bench  skip the separate transformInto measurement (e.g. under --cpu-prof)
 * Prints one JSON object on stdout.
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const ML_DIST = path.resolve(__dirname, '..', '..', 'ml', 'dist');
const ml = require(ML_DIST);

const { values: args } = parseArgs({
  options: {
    csv: { type: 'string' },
    out: { type: 'string' },
    keep: { type: 'boolean', default: false },
    spec: { type: 'string', default: 'housets' },
    'no-transform-bench': { type: 'boolean', default: false },
  },
});
if (!args.csv) {
  process.stderr.write('usage: node ts_pipeline.js --csv FILE [--out DIR] [--keep]\n');
  process.exit(2);
}

const now = () => Number(process.hrtime.bigint()) / 1e9;
const maxRssMb = () => process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB

async function main() {
  const spec = ml.loadSpec(args.spec);
  const outDir = args.out ?? fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ts-'));
  fs.mkdirSync(outDir, { recursive: true });
  const rssStart = maxRssMb();

  const t0 = now();
  const data = await ml.prepareDataset(spec, args.csv);
  const t1 = now();
  const features = ml.fitFeatures(data);
  const t2 = now();
  ml.writeFeatureMatrices(data, features, outDir);
  const t3 = now();
  // The pipeline's high-water mark, before the separate transform measurement allocates anything.
  const peakRss = maxRssMb();

  // transformInto alone: records are materialised block by block (untimed) into reused objects, then
  // transformInto runs over the block into one reusable Float32Array (timed).
  const width = features.names.length;
  const read = ml.recordReader(data);
  const BLOCK = 8192;
  const records = Array.from({ length: BLOCK }, () => ({}));
  const buffer = new Float32Array(BLOCK * width);
  let transformSeconds = 0;
  let readSeconds = 0;
  let checksum = 0;
  const benchRows = args['no-transform-bench'] ? 0 : data.rows;
  for (let start = 0; start < benchRows; start += BLOCK) {
    const n = Math.min(BLOCK, data.rows - start);
    const r0 = now();
    for (let k = 0; k < n; k++) read(start + k, records[k]);
    const r1 = now();
    for (let k = 0; k < n; k++) ml.transformInto(records[k], features, buffer, k * width);
    const r2 = now();
    readSeconds += r1 - r0;
    transformSeconds += r2 - r1;
    checksum += buffer[0] || 0; // keeps the work observable
  }

  const s = data.summary;
  const result = {
    impl: 'ts',
    node: process.version,
    csv: path.resolve(args.csv),
    bytes: data.bytes,
    rows_read: s.rowsRead,
    rows_kept: s.rowsKept,
    splits: s.splits,
    dropped: s.dropped,
    features: width,
    stages: {
      load_clean: t1 - t0,
      fit_encoders: t2 - t1,
      transform_write: t3 - t2,
    },
    prep_seconds: t3 - t0,
    transform_write_rows_per_s: data.rows / (t3 - t2),
    transform_only: {
      rows: data.rows,
      seconds: transformSeconds,
      rows_per_s: data.rows / transformSeconds,
      record_read_seconds: readSeconds,
      checksum,
    },
    peak_rss_mb: peakRss,
    start_rss_mb: rssStart,
    out_dir: args.keep || args.out ? outDir : null,
  };
  if (!args.keep && !args.out) fs.rmSync(outDir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
