#!/usr/bin/env node
/**
 * The CSV reader on one very long line (issue 11, item 6): a header, 1,000 short rows, one line of
 * N MiB, 1,000 short rows, streamed in 64 KiB pieces (the artifact store's chunk size) through readCsv.
 * Two settings: the default limit (CSV_MAX_LINE_BYTES, 1 MiB: the line is rejected and skipped) and a
 * limit above the line (the line is read whole). Prints one JSON line per run: wall time, peak RSS
 * (sampled every 10 ms), the reader's peak buffered characters and record joins.
 *
 * Usage: node bench/csv/long-lines.js [sizes in MiB, default 12.5,25,50,100]   (needs `npm run build -w ml`)
 */
'use strict';
const path = require('node:path');
const { Readable } = require('node:stream');
const ml = require(path.resolve(__dirname, '..', '..', 'ml', 'dist'));

const PIECE = 64 * 1024;
const sizes = (process.argv[2] ?? '12.5,25,50,100').split(',').map(Number);

function* input(lineBytes) {
  const short = Buffer.from('1,2,3\n'.repeat(1000));
  yield Buffer.from('a,b,c\n');
  yield short;
  const block = Buffer.alloc(PIECE, 'x');
  yield Buffer.from('9,');
  for (let sent = 0; sent < lineBytes; sent += PIECE) yield block.subarray(0, Math.min(PIECE, lineBytes - sent));
  yield Buffer.from(',9\n');
  yield short;
}

async function run(mib, maxLineBytes) {
  global.gc?.();
  const lineBytes = Math.round(mib * 1024 * 1024);
  const probe = { peakBufferedChars: 0, joins: 0 };
  let rows = 0;
  let rejected = 0;
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 10);
  const start = process.hrtime.bigint();
  await ml.readCsv(
    Readable.from(input(lineBytes)),
    { header() {}, row: () => rows++, rejected: () => rejected++ },
    { maxLineBytes, probe },
  );
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  return {
    lineMiB: mib,
    limit: maxLineBytes === undefined ? 'default (1 MiB)' : `${maxLineBytes / 1024 / 1024} MiB`,
    ms: Math.round(ms),
    peakRssMB: Math.round(peakRss / 1e6),
    rows,
    rejected,
    peakBufferedChars: probe.peakBufferedChars,
    joins: probe.joins,
  };
}

(async () => {
  for (const mib of sizes) {
    console.log(JSON.stringify(await run(mib, undefined)));
    console.log(JSON.stringify(await run(mib, 256 * 1024 * 1024)));
  }
})();
