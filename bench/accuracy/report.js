/* Writes bench/results/accuracy.{json,md} from the step results in WORK (see run.js). */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const ORDER = ['plain-ames', 'ames-noderived-fast', 'ames-fast', 'ames-tuned', 'plain-housets', 'housets-fast', 'housets-tuned', 'plain-california', 'california-fast', 'california-tuned'];
const AIM = { mape: 9.5, rmsle: 0.145 };

const money = (v) => Math.round(v).toLocaleString('en-US');
const fmt = {
  mae: (s) => `${money(s.mean)} ± ${money(s.std)}`,
  rmse: (s) => `${money(s.mean)} ± ${money(s.std)}`,
  r2: (s) => `${s.mean.toFixed(4)} ± ${s.std.toFixed(4)}`,
  mape: (s) => `${s.mean.toFixed(2)} % ± ${s.std.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)})`,
  rmsle: (s) => `${s.mean.toFixed(4)} ± ${s.std.toFixed(4)} (${s.min.toFixed(4)}–${s.max.toFixed(4)})`,
};

function writeReport(work, resultsDir) {
  const rows = ORDER.filter((name) => fs.existsSync(path.join(work, `${name}.json`))).map((name) => ({
    step: name,
    ...JSON.parse(fs.readFileSync(path.join(work, `${name}.json`), 'utf8')),
  }));
  const machine = {
    date: new Date().toISOString(),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    kernel: os.release(),
    node: process.version,
    uptime: execFileSync('uptime', { encoding: 'utf8' }).trim(),
  };
  fs.writeFileSync(path.join(resultsDir, 'accuracy.json'), JSON.stringify({ machine, aim: { ames: AIM }, results: rows }, null, 2) + '\n');

  const lines = [
    '# Accuracy benchmark: plain XGBoost script vs the platform',
    '',
    `- Date: ${machine.date}; machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, Linux ${machine.kernel}, Node ${machine.node}`,
    `- Load: shared with ~6 other engineers' builds and tests; \`uptime\` at the report: ${machine.uptime}; per run below (1-min load before → after). Wall times are therefore noisy upper bounds.`,
    '- Every figure is on the **holdout**, as mean ± sample std over the seeds (min–max in brackets); seeds 42, 43, 44.',
    '  The platform runs `ml train --seeds 3` (the whole selection + refit once per seed); its served model is the seed with the best CV score, the spread is over all three.',
    '- Produced by `node bench/accuracy/run.js` (steps can be run one by one), report by `bench/accuracy/report.js`.',
    '',
    '| dataset | variant | features | selection metric | MAE | RMSE | R² | MAPE | RMSLE | wall s | load |',
    '|---|---|---|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    const s = r.spread;
    lines.push(
      `| ${r.dataset} | ${r.variant} | ${r.features} | ${r.metric} | ${fmt.mae(s.mae)} | ${fmt.rmse(s.rmse)} | ${fmt.r2(s.r2)} | ${fmt.mape(s.mape)} | ${fmt.rmsle(s.rmsle)} | ${Math.round(r.wallSeconds)} | ${r.load} |`,
    );
  }
  lines.push('', '## Per seed', '', '| run | seed | CV score | rounds | holdout MAPE | holdout RMSLE | served |', '|---|---:|---:|---:|---:|---:|---|');
  for (const r of rows) {
    for (const s of r.seeds) {
      lines.push(
        `| ${r.step} | ${s.seed} | ${s.cv === undefined ? '–' : s.cv.toFixed(4)} | ${s.rounds ?? '–'} | ${s.holdout.mape.toFixed(2)} % | ${s.holdout.rmsle.toFixed(4)} | ${r.servedSeed === s.seed ? 'yes' : ''} |`,
      );
    }
  }
  // The analysis (what moved the numbers, the aim) is written by hand next to the script.
  const notes = path.join(__dirname, 'notes.md');
  if (fs.existsSync(notes)) lines.push('', fs.readFileSync(notes, 'utf8').trim());
  fs.writeFileSync(path.join(resultsDir, 'accuracy.md'), lines.join('\n') + '\n');
}

module.exports = { writeReport };
if (require.main === module) writeReport(process.env.WORK ?? '/tmp/bench-accuracy', path.resolve(__dirname, '..', 'results'));
