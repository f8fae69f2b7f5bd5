#!/usr/bin/env node
/*
 * Accuracy benchmark (issue 10, "Measure"): for Ames and the two shipped specs, a plain XGBoost script
 * (plain_ames.py, plain_generated.py) vs the platform (`ml train --fast` and tuned), three seeds each; holdout MAE/RMSE/R²/MAPE/RMSLE
 * as mean and spread over the seeds, the features and metric used, wall time.
 *
 *   node bench/accuracy/run.js [step ...]        # steps: data plain-ames ames-fast ames-tuned ames-noderived-fast housets-fast
 *                                                #        housets-tuned california-fast california-tuned
 *                                                #        plain-housets plain-california report
 *   (no step = all). Environment: TRIALS (default 20), SEEDS (default 3), WORK (default /tmp/bench-accuracy;
 *   each step's result is kept there as JSON, so steps can be run one at a time on a busy machine).
 * Writes bench/results/accuracy.json and bench/results/accuracy.md (step "report").
 */
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const WORK = process.env.WORK ?? '/tmp/bench-accuracy';
const TRIALS = Number(process.env.TRIALS ?? 20);
const SEEDS = Number(process.env.SEEDS ?? 3);
const PY = path.join(ROOT, 'ml', 'trainer', '.venv', 'bin', 'python');
const CLI = path.join(ROOT, 'ml', 'dist', 'cli', 'main.js');
const AMES = '/work/shared/data/ames/AmesHousing.csv';
const DATASETS = {
  ames: { spec: path.join(ROOT, 'ml/specs/ames.json'), csv: AMES },
  housets: { spec: path.join(ROOT, 'ml/specs/housets.json'), csv: path.join(WORK, 'housets-demo-dirty.csv') },
  california: { spec: path.join(ROOT, 'ml/specs/california-blocks.json'), csv: path.join(WORK, 'california-20640.csv') },
};

const log = (text) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${text}\n`);
const load = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const save = (name, value) => fs.writeFileSync(path.join(WORK, `${name}.json`), JSON.stringify(value, null, 2));
const read = (name) => JSON.parse(fs.readFileSync(path.join(WORK, `${name}.json`), 'utf8'));

function data() {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: path.join(ROOT, 'ml'), stdio: 'inherit' });
  if (!fs.existsSync(DATASETS.housets.csv)) {
    execFileSync('node', [CLI, 'generate', '--size', 'demo', '--dirty', '--seed', '42', '--out', DATASETS.housets.csv], { stdio: 'inherit' });
  }
  if (!fs.existsSync(DATASETS.california.csv)) {
    // The generator the ml tests use (ml/src/test-support/california.ts), at the real dataset's size.
    const out = path.join(WORK, 'test-support');
    execFileSync('npx', ['tsc', '--outDir', out, '--module', 'commonjs', '--target', 'es2022', '--skipLibCheck', '--rootDir', path.join(ROOT, 'ml/src'), path.join(ROOT, 'ml/src/test-support/california.ts')], { cwd: path.join(ROOT, 'ml'), stdio: 'inherit' });
    const { californiaSample } = require(path.join(out, 'test-support', 'california.js'));
    fs.writeFileSync(DATASETS.california.csv, californiaSample(20640, 2024).csv + '\n');
  }
}

/** The plain script, one process for all seeds: plain_ames.py on Ames, plain_generated.py on the others. */
function plain(dataset) {
  const seeds = Array.from({ length: SEEDS }, (_, i) => String(42 + i));
  const args = dataset === 'ames' ? [path.join(__dirname, 'plain_ames.py')] : [path.join(__dirname, 'plain_generated.py'), dataset, DATASETS[dataset].csv];
  const loadBefore = load();
  const started = Date.now();
  const output = execFileSync(PY, [...args, '--seeds', ...seeds], { encoding: 'utf8' });
  const runs = output.trim().split('\n').map((line) => JSON.parse(line));
  save(`plain-${dataset}`, {
    dataset, variant: 'plain script', features: `${runs[0].features} raw columns, native categoricals`, metric: 'none (eval RMSE in log space for early stopping, no tuning, no refit)',
    seeds: runs.map((r) => ({ seed: r.seed, rounds: r.rounds, holdout: r.holdout })), spread: spread(runs.map((r) => r.holdout)),
    wallSeconds: (Date.now() - started) / 1000, fitSeconds: runs.reduce((a, r) => a + r.seconds, 0), load: `${loadBefore} → ${load()}`,
  });
}

function platform(dataset, mode, variant = {}) {
  const { spec, csv } = { ...DATASETS[dataset], ...variant };
  const name = variant.name ?? `${dataset}-${mode}`;
  const out = path.join(WORK, `pkg-${name}`);
  fs.rmSync(out, { recursive: true, force: true });
  const args = [CLI, 'train', '--spec', spec, '--data', csv, '--out', out, '--seeds', String(SEEDS), '--version', mode];
  args.push(...(mode === 'fast' ? ['--fast'] : ['--trials', String(TRIALS)]));
  const loadBefore = load();
  const started = Date.now();
  const result = spawnSync('node', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
  const wallSeconds = (Date.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${name} failed:\n${result.stderr.slice(-3000)}`);
  save(name, summarise(dataset, mode, out, { wallSeconds, load: `${loadBefore} → ${load()}`, ...(variant.label && { label: variant.label }) }));
}

/** A package's selection record as one result row. */
function summarise(dataset, mode, out, extra) {
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
  const t = manifest.training;
  return {
    dataset, variant: `${mode === 'fast' ? 'platform --fast' : `platform tuned (${TRIALS} trials)`}${extra.label ? `, ${extra.label}` : ''}`,
    features: `${manifest.features.names.length} model columns from ${manifest.spec.columns.filter((c) => !['target', 'identifier', 'drop'].includes(c.role)).length} spec columns`,
    metric: `${t.metric}, ${t.cv.kind} CV ${t.cv.folds} folds`,
    servedSeed: t.servedSeed, served: manifest.metrics.holdout,
    seeds: t.seeds.map((s) => ({ seed: s.seed, cv: s.selectionScore, rounds: s.nEstimators, holdout: s.holdout })),
    spread: t.spread.holdout, cvSpread: t.spread.selectionScore, ...extra,
  };
}

/** Ablation: the Ames spec without its derived features. */
function amesWithoutDerived() {
  const spec = JSON.parse(fs.readFileSync(DATASETS.ames.spec, 'utf8'));
  spec.name = 'ames-noderived';
  spec.columns = spec.columns.filter((c) => c.role !== 'derived');
  const file = path.join(WORK, 'ames-noderived.json');
  fs.writeFileSync(file, JSON.stringify(spec, null, 1));
  platform('ames', 'fast', { spec: file, name: 'ames-noderived-fast', label: 'spec without derived features (ablation)' });
}

function spread(rows) {
  const out = {};
  for (const key of ['mae', 'rmse', 'r2', 'mape', 'rmsle']) {
    const v = rows.map((r) => r[key]);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const std = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
    out[key] = { mean, std, min: Math.min(...v), max: Math.max(...v) };
  }
  return out;
}

const STEPS = {
  data,
  'plain-ames': () => plain('ames'),
  'plain-housets': () => plain('housets'),
  'plain-california': () => plain('california'),
  'ames-fast': () => platform('ames', 'fast'),
  'ames-tuned': () => platform('ames', 'tuned'),
  'ames-noderived-fast': amesWithoutDerived,
  'housets-fast': () => platform('housets', 'fast'),
  'housets-tuned': () => platform('housets', 'tuned'),
  'california-fast': () => platform('california', 'fast'),
  'california-tuned': () => platform('california', 'tuned'),
  report: () => require('./report.js').writeReport(WORK, path.join(ROOT, 'bench', 'results')),
};

module.exports = { summarise };
if (require.main !== module) return;
fs.mkdirSync(WORK, { recursive: true });
const steps = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(STEPS);
for (const step of steps) {
  if (!STEPS[step]) throw new Error(`unknown step ${step}; steps: ${Object.keys(STEPS).join(' ')}`);
  log(`${step} (load ${load()}, ${os.cpus().length} CPUs)`);
  STEPS[step]();
}
