#!/usr/bin/env node
// Per-core speed of batch scoring, before vs after a change: ceiling.js (scoreCsv file → /dev/null, one ONNX
// thread) run alternately with two builds of ml (interleaved rounds, so both see the same machine load),
// then one CPU profile of each (node --cpu-prof, top functions by self time).
//
//   node bench/batch/per-core.js --csv FILE --model PACKAGE_DIR --old OLD_ML_DIST_INDEX [--new NEW_ML_DIST_INDEX]
//        [--runs 5] [--out bench/results/batch-per-core.json]
// The old build is a copy of ml/dist made before the change (its package needs ml/specs and node_modules
// next to it, as in the repository). Not a test: nothing here asserts.
'use strict';
const { execFileSync } = require('node:child_process');
const { mkdtempSync, readdirSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const CEILING = path.join(__dirname, 'ceiling.js');
const PROFILE_TOP = path.join(__dirname, 'profile-top.js');

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function ceiling(values, ml, extraNodeArgs = []) {
  const output = execFileSync(
    process.execPath,
    [...extraNodeArgs, CEILING, '--csv', values.csv, '--model', values.model, '--ml', ml],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  return JSON.parse(output.trim().split('\n').at(-1));
}

function profile(values, ml) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'per-core-prof-'));
  try {
    const run = ceiling(values, ml, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    const file = path.join(
      dir,
      readdirSync(dir).find((f) => f.endsWith('.cpuprofile')),
    );
    const top = JSON.parse(execFileSync(process.execPath, [PROFILE_TOP, file, '10'], { encoding: 'utf8' }));
    return { run, ...top };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main() {
  const { values } = parseArgs({
    options: {
      csv: { type: 'string' },
      model: { type: 'string' },
      old: { type: 'string' },
      new: { type: 'string', default: path.resolve(__dirname, '../../ml/dist/index.js') },
      runs: { type: 'string', default: '5' },
      out: { type: 'string', default: path.resolve(__dirname, '../results/batch-per-core.json') },
    },
  });
  const builds = { old: path.resolve(values.old), new: path.resolve(values.new) };
  const runs = { old: [], new: [] };
  const load = [];
  for (let round = 0; round < Number(values.runs); round++) {
    for (const impl of round % 2 ? ['new', 'old'] : ['old', 'new']) {
      load.push(os.loadavg()[0]);
      const result = ceiling(values, builds[impl]);
      runs[impl].push(result);
      process.stderr.write(
        `round ${round + 1} ${impl}: ${Math.round(result.rows_per_cpu_second)} rows/CPU-s, ${Math.round(result.rows_per_second)} rows/s, GC ${(result.gc_share * 100).toFixed(1)}%\n`,
      );
    }
  }
  const summary = (impl) => ({
    rows_per_cpu_second: median(runs[impl].map((r) => r.rows_per_cpu_second)),
    rows_per_second: median(runs[impl].map((r) => r.rows_per_second)),
    scoring_cpu_seconds: median(runs[impl].map((r) => r.scoring_cpu_seconds)),
    gc_share: median(runs[impl].map((r) => r.gc_share)),
    gc_count: median(runs[impl].map((r) => r.gc_count)),
    peak_rss_mb: median(runs[impl].map((r) => r.peak_rss_mb)),
  });
  const profiles = { old: profile(values, builds.old), new: profile(values, builds.new) };
  const result = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
    },
    load_average_1m: { min: Math.min(...load), max: Math.max(...load) },
    csv: values.csv,
    rows: runs.new[0].rows_read,
    builds,
    runs,
    median: { old: summary('old'), new: summary('new') },
    speedup_per_core: summary('new').rows_per_cpu_second / summary('old').rows_per_cpu_second,
    profiles,
  };
  writeFileSync(values.out, JSON.stringify(result, null, 1) + '\n');
  process.stdout.write(
    JSON.stringify({ median: result.median, speedup_per_core: result.speedup_per_core }, null, 1) + '\n',
  );
}

main();
