#!/usr/bin/env node
/**
 * Our end-to-end training path, the one `ml train --fast` runs: trainModel() = prepare, fit encoders,
 * write matrices, Python trainer (FAST_PARAMS, max_rounds 300, early stopping 50 on eval, refit on
 * train+eval), parity check through onnxruntime-node, package written atomically.
 *
 * The trainer's working directory is kept (keepWorkDir) under --work, so its config.json, matrices and
 * out/timings.json can be reused: the pandas reference fits with the same config.json, and the tuning
 * measurement reruns the trainer on the same matrices.
 *
 * Usage: node train_ours.js --csv FILE --work DIR
 * Prints one JSON object on stdout; the kept work dir is `work_dir` in it.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const ml = require(path.resolve(__dirname, '..', '..', 'ml', 'dist'));

const { values: args } = parseArgs({
  options: { csv: { type: 'string' }, work: { type: 'string' }, spec: { type: 'string', default: 'housets' } },
});
if (!args.csv || !args.work) {
  process.stderr.write('usage: node train_ours.js --csv FILE --work DIR\n');
  process.exit(2);
}

const now = () => Number(process.hrtime.bigint()) / 1e9;

async function main() {
  const work = path.resolve(args.work);
  const tmp = path.join(work, 'tmp');
  fs.mkdirSync(tmp, { recursive: true });
  // trainModel makes its working directory with mkdtemp(os.tmpdir()); os.tmpdir() reads TMPDIR per call.
  process.env.TMPDIR = tmp;
  // The trainer is a child of this process: a wrapper records its peak RSS separately (GNU time).
  const rssFile = path.join(work, 'trainer-maxrss-kib.txt');
  fs.rmSync(rssFile, { force: true });
  if (fs.existsSync('/usr/bin/time') && !process.env.ML_TRAINER_PYTHON) {
    process.env.ML_TRAINER_PYTHON = path.join(__dirname, 'trainer_rss.sh');
    process.env.TRAINER_RSS_FILE = rssFile;
  }
  const outDir = path.join(work, 'package');
  fs.rmSync(outDir, { recursive: true, force: true });

  const marks = {};
  const mark = (name) => {
    if (!(name in marks)) marks[name] = now();
  };
  const t0 = now();
  const { manifest } = await ml.trainModel({
    spec: ml.loadSpec(args.spec),
    csv: args.csv,
    outDir,
    fast: true,
    keepWorkDir: true,
    onProgress: (p) => {
      if (p.stage === 'prepared') mark('prepared');
      else if (p.stage === 'features') mark('features_started');
      else if (p.stage === 'trainer') mark('trainer_started');
      else if (p.stage === 'parity') mark('parity_done');
      else if (p.stage === 'package') mark('package_done');
    },
  });
  const t1 = now();
  const kept = fs.readdirSync(tmp).filter((name) => name.startsWith('ml-train-'));
  if (kept.length !== 1) throw new Error(`expected one kept ml-train-* dir in ${tmp}, found ${kept.length}`);
  const workDir = path.join(tmp, kept[0]);
  const read = (file) => JSON.parse(fs.readFileSync(path.join(workDir, file), 'utf8'));
  const config = read('config.json');
  const since = (name) => (marks[name] === undefined ? null : marks[name] - t0);
  process.stdout.write(
    JSON.stringify(
      {
        impl: 'ts+trainer',
        wall_seconds: t1 - t0,
        marks_seconds: Object.fromEntries(Object.keys(marks).map((k) => [k, since(k)])),
        config: { ...config, feature_names: undefined },
        timings: read('out/timings.json'),
        params: read('out/params.json'),
        holdout: manifest.metrics.holdout,
        eval: manifest.metrics.eval,
        baseline_holdout: manifest.metrics.baseline.holdout,
        rows: manifest.lineage.rows,
        peak_rss_mb: process.resourceUsage().maxRSS / 1024,
        trainer_peak_rss_mb: fs.existsSync(rssFile) ? Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024 : null,
        work_dir: workDir,
        package_dir: outDir,
      },
      null,
      2,
    ) + '\n',
  );
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
