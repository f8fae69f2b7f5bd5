#!/usr/bin/env node
// Batch scoring with and without explanations (issue 12, "Measure"): scoreCsv in process (the worker's
// scoring step: shared validation, transform, ONNX session, result lines) over the demo CSV with the demo
// package, plain and with each row's top 3 contributions (the `explain` option of batch jobs), rounds
// interleaved, medians. Usage: node bench/trust/batch-explain.js [--rounds 3]
// Needs ml built and bench/trust/run.js's data (data/generated/housets-demo.csv); trains the package once.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Writable } = require('node:stream');

const ROOT = path.resolve(__dirname, '..', '..');
const ml = require(path.join(ROOT, 'ml/dist'));
const args = process.argv.slice(2);
const ROUNDS = args.includes('--rounds') ? Number(args[args.indexOf('--rounds') + 1]) : 3;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const sink = () => new Writable({ write: (_c, _e, cb) => cb() });

async function main() {
  const csv = path.join(ROOT, 'data/generated/housets-demo.csv');
  const cli = path.join(ROOT, 'ml/dist/cli/main.js');
  if (!fs.existsSync(csv)) execFileSync('node', [cli, 'generate', '--size', 'demo', '--dirty', '--out', csv], { stdio: 'inherit' });
  const pkgDir = path.join(os.tmpdir(), `bench-batch-explain-${process.pid}`);
  execFileSync('node', [cli, 'train', '--data', csv, '--out', pkgDir, '--fast'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const pkg = ml.readPackage(pkgDir);
  const session = await ml.loadPackageModel(pkg.manifest, pkg.model, 1);
  const explainer = new ml.PackageExplainer(pkg.manifest, pkg.model, pkg.covers);
  const runs = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of ['plain', 'explain top 3']) {
        const started = process.hrtime.bigint();
        const result = await ml.scoreCsv(pkg.manifest, session, csv, sink(), sink(), {
          ...(variant !== 'plain' && { explain: { top: 3, explainer } }),
        });
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        runs.push({ round, variant, rows: result.rowsScored, seconds, rowsPerSecond: result.rowsScored / seconds });
        process.stderr.write(`round ${round + 1} ${variant}: ${(result.rowsScored / seconds).toFixed(0)} rows/s\n`);
      }
    }
  } finally {
    await session.release();
    fs.rmSync(pkgDir, { recursive: true, force: true });
  }
  const rate = (v) => median(runs.filter((r) => r.variant === v).map((r) => r.rowsPerSecond));
  const plain = rate('plain');
  const explained = rate('explain top 3');
  const result = {
    date: new Date().toISOString(),
    cpus: `${os.cpus().length} × ${os.cpus()[0].model}`,
    node: process.version,
    loadAverageAtStart: os.loadavg().map((x) => x.toFixed(2)).join(' '),
    rows: runs[0].rows,
    trees: pkg.manifest.hyperparameters.n_estimators,
    plainRowsPerSecond: plain,
    explainRowsPerSecond: explained,
    runs,
  };
  fs.writeFileSync(path.join(ROOT, 'bench/results/batch-explain.json'), JSON.stringify(result, null, 2) + '\n');
  const md = [
    '# Batch scoring with and without explanations',
    '',
    `${result.date.slice(0, 10)} on ${result.cpus}, Node ${result.node}; load average at start ${result.loadAverageAtStart} (shared machine).`,
    `scoreCsv in process (the batch worker's scoring step) over the demo CSV (${result.rows.toLocaleString('en-US')} scored rows), demo package (${result.trees} trees), medians of ${ROUNDS} interleaved rounds.`,
    '',
    '| variant | rows/s |',
    '|---|---:|',
    `| plain | ${plain.toFixed(0)} |`,
    `| explain: top 3 contributions per row | ${explained.toFixed(0)} |`,
    '',
    `Explanations cost ${(1000 / explained - 1000 / plain).toFixed(3)} ms a row here: a job with \`explain\` runs about ${(plain / explained).toFixed(1)}× longer.`,
    '',
    'Rerun: `npx nx run-many -t build && node bench/trust/batch-explain.js --rounds 3`.',
  ];
  fs.writeFileSync(path.join(ROOT, 'bench/results/batch-explain.md'), md.join('\n') + '\n');
  process.stdout.write(md.join('\n') + '\n');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
