#!/usr/bin/env node
/*
 * Prediction-interval benchmark (issue 12, item 1): for Ames and the two shipped specs, train with
 * `ml train --fast` under three seeds and report what the package's conformal intervals do on the holdout
 * the trainer never used for them: coverage against the nominal level, mean and median width, width
 * relative to the price, and coverage by band of predicted price (from evaluation.json's holdout sample).
 *
 *   node bench/intervals/run.js            # needs ml built (npx tsc -p ml/tsconfig.build.json) and the
 *                                          # accuracy benchmark's data step (node bench/accuracy/run.js data)
 * Environment: SEEDS (default 3), LEVEL (default 0.9), WORK (default /tmp/bench-accuracy, shared with
 * bench/accuracy for its generated CSVs). Writes bench/results/intervals.{json,md}.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const WORK = process.env.WORK ?? '/tmp/bench-accuracy';
const SEEDS = Number(process.env.SEEDS ?? 3);
const LEVEL = Number(process.env.LEVEL ?? 0.9);
const CLI = path.join(ROOT, 'ml', 'dist', 'cli', 'main.js');
const { priceInterval } = require(path.join(ROOT, 'ml', 'dist', 'index.js'));
const AMES = path.resolve(ROOT, '..', 'shared', 'data', 'ames', 'AmesHousing.csv');
const DATASETS = {
  ames: {
    spec: path.join(ROOT, 'ml/specs/ames.json'),
    csv: fs.existsSync(AMES) ? AMES : '/work/shared/data/ames/AmesHousing.csv',
  },
  housets: { spec: path.join(ROOT, 'ml/specs/housets.json'), csv: path.join(WORK, 'housets-demo-dirty.csv') },
  california: {
    spec: path.join(ROOT, 'ml/specs/california-blocks.json'),
    csv: path.join(WORK, 'california-20640.csv'),
  },
};
const load = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;
const std = (a) =>
  a.length < 2 ? 0 : Math.sqrt(a.reduce((s, v) => s + (v - mean(a)) ** 2, 0) / (a.length - 1));

/** Coverage of the holdout sample by quintile of predicted price. */
function bands(manifest, points) {
  const rows = points
    .map((p) => ({ ...p, range: priceInterval(manifest, p.predicted) }))
    .sort((a, b) => a.predicted - b.predicted);
  const out = [];
  for (let q = 0; q < 5; q++) {
    const part = rows.slice(Math.floor((q * rows.length) / 5), Math.floor(((q + 1) * rows.length) / 5));
    if (part.length === 0) continue;
    out.push({
      from: part[0].predicted,
      to: part.at(-1).predicted,
      rows: part.length,
      coverage: mean(part.map((p) => (p.actual >= p.range.low && p.actual <= p.range.high ? 1 : 0))),
      meanRelativeWidth: mean(part.map((p) => (p.range.high - p.range.low) / p.predicted)),
    });
  }
  return out;
}

const results = [];
for (const [dataset, { spec, csv }] of Object.entries(DATASETS)) {
  if (!fs.existsSync(csv)) throw new Error(`${csv} is missing: run node bench/accuracy/run.js data first`);
  for (let k = 0; k < SEEDS; k++) {
    const seed = 42 + k;
    const out = path.join(WORK, `pkg-intervals-${dataset}-${seed}`);
    fs.rmSync(out, { recursive: true, force: true });
    const before = load();
    const started = Date.now();
    const args = [
      CLI,
      'train',
      '--spec',
      spec,
      '--data',
      csv,
      '--out',
      out,
      '--fast',
      '--seed',
      String(seed),
      '--interval-level',
      String(LEVEL),
    ];
    const run = spawnSync('node', args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 1 << 26,
    });
    if (run.status !== 0) throw new Error(`${dataset} seed ${seed} failed:\n${run.stderr.slice(-3000)}`);
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    const evaluation = JSON.parse(fs.readFileSync(path.join(out, 'evaluation.json'), 'utf8'));
    const iv = manifest.intervals;
    results.push({
      dataset,
      seed,
      level: iv.level,
      bins: iv.bins.length,
      calibrationRows: iv.calibrationRows,
      holdout: iv.holdout,
      bands: bands(manifest, evaluation.points),
      holdoutMape: manifest.metrics.holdout.mape,
      wallSeconds: (Date.now() - started) / 1000,
      load: `${before} → ${load()}`,
    });
    process.stderr.write(
      `${dataset} seed ${seed}: coverage ${iv.holdout.coverage.toFixed(4)} over ${iv.holdout.rows} rows\n`,
    );
  }
}

const machine = `${os.cpus().length} CPUs (${os.cpus()[0].model.trim()}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`;
const date = new Date().toISOString();
fs.writeFileSync(
  path.join(ROOT, 'bench/results/intervals.json'),
  JSON.stringify({ date, machine, level: LEVEL, results }, null, 2) + '\n',
);

const pct = (v) => `${(v * 100).toFixed(1)} %`;
const money = (v) => Math.round(v).toLocaleString('en-US');
const lines = [
  '# Prediction intervals: holdout coverage of the conformal ranges',
  '',
  `- Date: ${date}; machine: ${machine}; 1-min load per run in the JSON (shared machine).`,
  `- \`ml train --fast --seed S --interval-level ${LEVEL}\` for seeds ${Array.from({ length: SEEDS }, (_, k) => 42 + k).join(', ')}; produced by \`node bench/intervals/run.js\`.`,
  "- Calibration: split conformal on the out-of-fold residuals of the chosen parameters (every CV fold's validation rows, predicted by a model fit without them, at the refit's rounds) in the model's target space (log1p price), binned by predicted level",
  '  (at least 250 rows a bin, at most 10). The holdout is never used for the calibration; it only measures it.',
  '',
  '| dataset | holdout rows | bins | coverage (mean ± std over seeds) | off nominal | mean width | median width | width / price |',
  '|---|---:|---:|---:|---:|---:|---:|---:|',
];
for (const dataset of Object.keys(DATASETS)) {
  const runs = results.filter((r) => r.dataset === dataset);
  const cov = runs.map((r) => r.holdout.coverage);
  lines.push(
    `| ${dataset} | ${runs[0].holdout.rows} | ${runs[0].bins} | ${pct(mean(cov))} ± ${(std(cov) * 100).toFixed(1)} (${cov.map(pct).join(', ')}) | ${((mean(cov) - LEVEL) * 100).toFixed(1)} pts | ${money(mean(runs.map((r) => r.holdout.meanWidth)))} | ${money(mean(runs.map((r) => r.holdout.medianWidth)))} | ${pct(mean(runs.map((r) => r.holdout.meanRelativeWidth)))} |`,
  );
}
lines.push(
  '',
  '## Coverage by band of predicted price (holdout sample in evaluation.json, first seed)',
  '',
  '| dataset | band (predicted price) | rows | coverage | width / price |',
  '|---|---|---:|---:|---:|',
);
for (const dataset of Object.keys(DATASETS)) {
  const first = results.find((r) => r.dataset === dataset);
  for (const b of first.bands)
    lines.push(
      `| ${dataset} | ${money(b.from)} – ${money(b.to)} | ${b.rows} | ${pct(b.coverage)} | ${pct(b.meanRelativeWidth)} |`,
    );
}
fs.writeFileSync(path.join(ROOT, 'bench/results/intervals.md'), lines.join('\n') + '\n');
process.stdout.write(lines.join('\n') + '\n');
