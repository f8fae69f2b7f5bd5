#!/usr/bin/env node
/**
 * Per-record cost of exact TreeSHAP on a model package (see run.sh): TreeSHAP alone on transformed rows,
 * the whole explanation of a raw record (transform + TreeSHAP + grouping by column + price terms), and for
 * scale the ONNX prediction of one record (the online path's single-record call) and of a batch, and
 * XGBoost's own C++ pred_contribs (one thread) on the same rows.
 *
 * Usage: node bench.js --csv FILE --model DIR --reference DIR --python PY [--rows N] [--runs N] [--out JSON] [--md MD]
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const ml = require(path.resolve(__dirname, '..', '..', 'ml', 'dist'));

const { values: args } = parseArgs({
  options: {
    csv: { type: 'string' },
    model: { type: 'string' },
    reference: { type: 'string' },
    rows: { type: 'string', default: '2000' },
    runs: { type: 'string', default: '3' },
    out: { type: 'string' },
    md: { type: 'string' },
    python: { type: 'string' },
  },
});
if (!args.csv || !args.model || !args.reference || !args.python) {
  process.stderr.write('usage: node bench.js --csv FILE --model DIR --reference DIR --python PY [--rows N] [--runs N] [--out JSON] [--md MD]\n');
  process.exit(2);
}

const now = () => Number(process.hrtime.bigint()) / 1e3; // µs
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

function machine() {
  const cpu = os.cpus();
  return {
    date: new Date().toISOString(),
    hostname: os.hostname(),
    cpus: cpu.length,
    cpu_model: cpu[0]?.model.trim() ?? 'unknown',
    memory_gb: Math.round(os.totalmem() / 1e9),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    loadavg: os.loadavg().map((x) => round(x)),
  };
}

async function main() {
  const start = machine();
  const pkg = ml.readPackage(path.resolve(args.model));
  const covers = JSON.parse(fs.readFileSync(path.join(args.reference, 'trees.json'), 'utf8'));
  const reference = JSON.parse(fs.readFileSync(path.join(args.reference, 'reference.json'), 'utf8'));
  const { manifest } = pkg;
  const width = manifest.features.names.length;

  const t0 = now();
  const explainer = new ml.PackageExplainer(manifest, pkg.model, covers);
  const loadMs = (now() - t0) / 1000;
  const ensemble = ml.readTreeEnsemble(pkg.model);
  const trees = ensemble.roots.length - 1;
  let leaves = 0;
  for (let g = 0; g < ensemble.mode.length; g++) if (ensemble.mode[g] === 0) leaves++;

  // Agreement with XGBoost's pred_contribs on the demo model (parity fixture, holdout, blanked holdout).
  const shap = explainer.trees;
  const xRef = Float32Array.from(reference.x, (v) => (v === null ? NaN : v));
  const phi = new Float64Array(width + 1);
  let maxDiff = 0;
  for (let r = 0; r < reference.rows; r++) {
    shap.contributions(xRef, r * width, phi);
    for (let i = 0; i <= width; i++) maxDiff = Math.max(maxDiff, Math.abs(phi[i] - reference.contribs[r * (width + 1) + i]));
  }

  const data = await ml.prepareDataset(manifest.spec, args.csv);
  const records = ml.parityRecords(data, Number(args.rows));
  const n = records.length;
  const x = new Float32Array(n * width);
  records.forEach((record, i) => ml.transformInto(record, manifest.features, x, i * width));
  const onnx = await ml.loadPackageModel(manifest, pkg.model);

  const runs = { treeshap_us: [], explain_us: [], predict_one_us: [], predict_batch_us: [] };
  let cpuTreeshap = 0;
  for (let run = 0; run < Number(args.runs); run++) {
    // Warm-up pass each run, then timed passes.
    for (let r = 0; r < Math.min(n, 200); r++) shap.contributions(x, r * width, phi);
    let t = now();
    const cpu = process.cpuUsage();
    for (let r = 0; r < n; r++) shap.contributions(x, r * width, phi);
    runs.treeshap_us.push((now() - t) / n);
    cpuTreeshap = process.cpuUsage(cpu).user / n;

    t = now();
    for (const record of records) explainer.explain(record);
    runs.explain_us.push((now() - t) / n);

    const one = new Float32Array(width);
    const m = Math.min(n, 500);
    t = now();
    for (let r = 0; r < m; r++) {
      one.set(x.subarray(r * width, (r + 1) * width));
      await onnx.predict(one, 1);
    }
    runs.predict_one_us.push((now() - t) / m);

    t = now();
    await onnx.predict(x, n);
    runs.predict_batch_us.push((now() - t) / n);
  }
  await onnx.release();

  // XGBoost's own pred_contribs (C++, one thread) on the same rows, same machine, same moment.
  const rowsFile = path.join(os.tmpdir(), `bench-explain-rows-${process.pid}.f32`);
  fs.writeFileSync(rowsFile, Buffer.from(x.buffer, x.byteOffset, x.byteLength));
  const script = [
    'import json, sys, time, numpy as np, xgboost as xgb',
    'b = xgb.Booster(model_file=sys.argv[1]); b.set_param({"nthread": 1})',
    'X = np.fromfile(sys.argv[2], dtype=np.float32).reshape(-1, int(sys.argv[3]))',
    'one, batch = [], []',
    'for run in range(int(sys.argv[4])):',
    '    m = min(len(X), 100); t = time.perf_counter()',
    '    for r in range(m): b.predict(xgb.DMatrix(X[r:r + 1], missing=np.nan), pred_contribs=True)',
    '    one.append((time.perf_counter() - t) / m * 1e6)',
    '    d = xgb.DMatrix(X, missing=np.nan); t = time.perf_counter(); b.predict(d, pred_contribs=True)',
    '    batch.append((time.perf_counter() - t) / len(X) * 1e6)',
    'print(json.dumps({"one": one, "batch": batch, "xgboost": xgb.__version__}))',
  ].join('\n');
  let xgbRuns = null;
  try {
    const { execFileSync } = require('node:child_process');
    const output = execFileSync(args.python, ['-c', script, path.join(args.reference, 'model.ubj'), rowsFile, String(width), args.runs], { encoding: 'utf8' });
    xgbRuns = JSON.parse(output.trim().split('\n').pop());
    runs.xgboost_one_us = xgbRuns.one;
    runs.xgboost_batch_us = xgbRuns.batch;
  } catch (error) {
    process.stderr.write(`xgboost timing skipped: ${error.message}\n`);
  } finally {
    fs.rmSync(rowsFile, { force: true });
  }

  const result = {
    machine: start,
    machine_end: machine(),
    model: {
      name: manifest.model.name,
      version: manifest.model.version,
      dataset: manifest.lineage.datasetFile,
      rows_trained: manifest.lineage.rows.train + manifest.lineage.rows.eval,
      features: width,
      trees,
      nodes: ensemble.mode.length,
      leaves,
      max_depth: ensemble.maxDepth,
    },
    records: n,
    load_ms: round(loadMs),
    agreement: { rows: reference.rows, max_abs_diff_vs_xgboost: maxDiff, xgboost: reference.xgboost ?? null },
    cpu_us_per_record_treeshap: round(cpuTreeshap),
    runs: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v.map((x) => round(x))])),
    median: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, round(median(v))])),
  };
  if (args.out) fs.writeFileSync(args.out, JSON.stringify(result, null, 2) + '\n');
  if (args.md) fs.writeFileSync(args.md, markdown(result));
  process.stdout.write(JSON.stringify(result.median) + '\n');
}

function markdown(r) {
  const m = r.machine;
  const row = (label, key) => `| ${label} | **${r.median[key]}** | ${r.runs[key].join(', ')} |`;
  return [
    '# Explanations (exact TreeSHAP): benchmark',
    '',
    `Recorded ${m.date} on ${m.hostname}: ${m.cpus} × ${m.cpu_model}, ${m.memory_gb} GB, ${m.os}, Node ${m.node}. ` +
      `Load average at start ${m.loadavg.join(' / ')}, at end ${r.machine_end.loadavg.join(' / ')} (shared machine: absolute numbers move with its load).`,
    '',
    `Model: the demo model, \`ml train --fast\` on \`${r.model.dataset}\` (${r.model.rows_trained.toLocaleString('en-US')} training rows): ` +
      `${r.model.trees} trees, ${r.model.nodes.toLocaleString('en-US')} nodes (${r.model.leaves.toLocaleString('en-US')} leaves), depth ≤ ${r.model.max_depth}, ${r.model.features} model inputs. ` +
      `${r.records} holdout records, one at a time, single thread; medians of ${r.runs.treeshap_us.length} runs. Produced by \`bench/explain/run.sh\`.`,
    '',
    '| per record | µs (median) | runs |',
    '|---|---:|---|',
    row('TreeSHAP only (transformed row → contributions + bias)', 'treeshap_us'),
    row('Whole explanation of a raw record (transform + TreeSHAP + grouping by column + price terms)', 'explain_us'),
    row('For scale: ONNX prediction of one record (onnxruntime-node, one `run` per record)', 'predict_one_us'),
    row(`For scale: ONNX prediction in one batch of ${r.records} (per record)`, 'predict_batch_us'),
    ...(r.runs.xgboost_one_us
      ? [
          row('Reference: XGBoost `pred_contribs` (C++, 1 thread), one record per call (incl. DMatrix)', 'xgboost_one_us'),
          row(`Reference: XGBoost \`pred_contribs\` (C++, 1 thread), one batch of ${r.records} (per record)`, 'xgboost_batch_us'),
        ]
      : []),
    '',
    `- TreeSHAP CPU time per record (process user time, last run): ${r.cpu_us_per_record_treeshap} µs; wall-clock above is higher when other work shares the cores.`,
    `- Loading the explainer (parse model.onnx, match trees.json, tree means): ${r.load_ms} ms, once per model.`,
    `- Agreement with XGBoost ${r.agreement.xgboost ?? ''} \`pred_contribs\` on this model: max |difference| ${r.agreement.max_abs_diff_vs_xgboost.toExponential(2)} over ${r.agreement.rows} rows × ${r.model.features + 1} values (tolerance 1e-4).`,
    '',
  ].join('\n');
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
