#!/usr/bin/env node
// Cost of trust on the online path (issue 12, "Measure"): POST /v1/predictions at 16 connections, in one
// run with the variants interleaved round by round:
//   plain     the demo package without interval calibration, drift monitoring off
//   interval  the same package with its intervals (every answer carries interval {low, high, level})
//   explain   as interval, with ?explain=true (exact TreeSHAP, top 10 columns)
//   drift     as interval, with drift monitoring on (counts flushed into Redis every 5 s)
// Each variant is its own API process (own SQLite database and artifact directory, one shared Redis).
// Figures are medians over ROUNDS rounds. Usage: node bench/trust/run.js [--rounds 3] [--seconds 10]
const { spawn, execFileSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const autocannon = require('autocannon');
const { freePort, machineInfo, median, sleep, waitFor } = require('../support/http');

const ROOT = path.resolve(__dirname, '..', '..');
const ml = require(path.join(ROOT, 'ml/dist'));
const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : fallback);
const ROUNDS = opt('rounds', 3);
const SECONDS = opt('seconds', 10);
const CONNECTIONS = 16;
const cli = (...a) => execFileSync('node', [path.join(ROOT, 'ml/dist/cli/main.js'), ...a], { stdio: ['ignore', 'ignore', 'inherit'] });
const load = (url, body, headers, connections = CONNECTIONS) =>
  new Promise((resolve, reject) =>
    autocannon(
      { url, method: 'POST', connections, duration: SECONDS, headers: { 'content-type': 'application/json', ...headers }, body },
      (error, result) => (error ? reject(error) : resolve(result)),
    ),
  );

/** An API process with its own database and store, serving `archive` in production. */
async function startApi(work, name, archive, redisPort, drift, children) {
  const port = await freePort();
  const adminKey = `hp_${randomBytes(32).toString('base64url')}`;
  const api = spawn('node', [path.join(ROOT, 'backend/dist/main.js')], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${work}/${name}.sqlite`,
      ARTIFACT_STORE: `file://${work}/${name}-artifacts`,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      QUEUE_PREFIX: `bench-${name}`,
      BOOTSTRAP_ADMIN_KEY: adminKey,
      DRIFT_MONITORING: drift ? 'on' : 'off',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(api);
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/health/live`);
  const admin = { 'x-api-key': adminKey };
  const form = new FormData();
  form.append('package', new Blob([archive]), 'pkg.tar.gz');
  const registered = await (await fetch(`${base}/v1/models`, { method: 'POST', headers: admin, body: form })).json();
  await fetch(`${base}/v1/models/${registered.name}/versions/${registered.version}/stage`, {
    method: 'PUT',
    headers: { ...admin, 'content-type': 'application/json' },
    body: JSON.stringify({ stage: 'production' }),
  });
  await waitFor(`${base}/health/ready`);
  const created = await (
    await fetch(`${base}/v1/keys`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench', scopes: ['predict', 'models:read'], rateLimitPerMinute: 10_000_000 }),
    })
  ).json();
  return { base, key: { 'x-api-key': created.key } };
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-trust-'));
  const children = [];
  const stop = () => children.forEach((c) => c.kill('SIGTERM'));
  process.on('exit', stop);
  try {
    const csv = path.join(ROOT, 'data/generated/housets-demo.csv');
    if (!fs.existsSync(csv)) cli('generate', '--size', 'demo', '--dirty', '--out', csv);
    const pkgDir = path.join(work, 'pkg');
    cli('train', '--data', csv, '--out', pkgDir, '--fast');
    const pkg = ml.readPackage(pkgDir);
    const withIntervals = ml.packPackage(pkg);
    const plainPkg = { ...pkg, manifest: { ...pkg.manifest, intervals: undefined } };
    const plainArchive = ml.packPackage(plainPkg);

    const redisPort = await freePort();
    children.push(spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }));
    await sleep(300);
    const servers = {
      plain: await startApi(work, 'plain', plainArchive, redisPort, false, children),
      interval: await startApi(work, 'interval', withIntervals, redisPort, false, children),
      drift: await startApi(work, 'drift', withIntervals, redisPort, true, children),
    };
    const variants = {
      plain: { server: servers.plain, path: '/v1/predictions' },
      interval: { server: servers.interval, path: '/v1/predictions' },
      explain: { server: servers.interval, path: '/v1/predictions?explain=true' },
      drift: { server: servers.drift, path: '/v1/predictions' },
      // One connection: the latency an explanation adds when nothing queues behind it.
      'interval, 1 connection': { server: servers.interval, path: '/v1/predictions', connections: 1 },
      'explain, 1 connection': { server: servers.interval, path: '/v1/predictions?explain=true', connections: 1 },
    };
    const body = JSON.stringify({ record: pkg.manifest.parity.records[0] });
    // Check each answers what it should before timing it.
    for (const [name, v] of Object.entries(variants)) {
      const r = await (await fetch(v.server.base + v.path, { method: 'POST', headers: { ...v.server.key, 'content-type': 'application/json' }, body })).json();
      const ok = name === 'plain' ? r.interval === null : name.startsWith('explain') ? r.explanation?.columns?.length > 0 : r.interval?.low > 0;
      if (!ok) throw new Error(`${name} answered ${JSON.stringify(r).slice(0, 300)}`);
      await load(v.server.base + v.path, body, v.server.key); // warm-up (JIT, session)
    }

    const runs = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, v] of Object.entries(variants)) {
        const r = await load(v.server.base + v.path, body, v.server.key, v.connections);
        runs.push({ round, variant: name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, mean: r.latency.mean, non2xx: r.non2xx, errors: r.errors });
        process.stderr.write(`round ${round + 1} ${name}: ${r.requests.average.toFixed(0)} req/s p50 ${r.latency.p50} ms p99 ${r.latency.p99} ms\n`);
      }
    }
    // The drift process counted every request it answered (flushed within 5 s).
    await sleep(6000);
    const drift = await (await fetch(`${servers.drift.base}/v1/monitoring/drift?hours=1`, { headers: servers.drift.key })).json();

    const summary = Object.keys(variants).map((variant) => {
      const pick = (field) => median(runs.filter((r) => r.variant === variant).map((r) => r[field]));
      const mean = (field) => median(runs.filter((r) => r.variant === variant).map((r) => r[field]));
      return { variant, rps: pick('rps'), p50: pick('p50'), p99: pick('p99'), meanMs: mean('mean') };
    });
    const by = Object.fromEntries(summary.map((s) => [s.variant, s]));
    const machine = machineInfo();
    const failures = runs.reduce((n, r) => n + (r.non2xx ?? 0) + (r.errors ?? 0), 0);
    const result = { machine, rounds: ROUNDS, secondsPerRun: SECONDS, connections: CONNECTIONS, model: { features: pkg.manifest.features.names.length, trees: pkg.manifest.hyperparameters.n_estimators }, summary, driftRowsCounted: drift.rows, failures, runs };
    fs.writeFileSync(path.join(ROOT, 'bench/results/trust.json'), JSON.stringify(result, null, 2) + '\n');
    const pct = (a, b) => `${(100 * (a / b - 1)).toFixed(1)} %`;
    const lines = [
      '# Cost of trust: POST /v1/predictions with intervals, explanations and drift monitoring',
      '',
      `${machine.date.slice(0, 10)} on ${machine.cpus}, Node ${machine.node}. Load average at start: ${machine.loadAverageAtStart} (a shared machine: other sessions' builds and tests ran meanwhile).`,
      `Medians of ${ROUNDS} rounds of ${SECONDS} s per variant at ${CONNECTIONS} connections (autocannon on loopback, same 2-core machine), variants interleaved round by round.`,
      `Model: the demo package (${result.model.features} features, ${result.model.trees} trees). Each variant is its own API process; one Redis.`,
      '',
      '| variant | req/s | p50 ms | mean ms | p99 ms | req/s vs plain |',
      '|---|---:|---:|---:|---:|---:|',
      ...summary.map((s) => `| ${s.variant} | ${s.rps.toFixed(0)} | ${s.p50} | ${s.meanMs.toFixed(2)} | ${s.p99} | ${s.variant === 'plain' || s.variant.includes('1 connection') ? '–' : pct(s.rps, by.plain.rps)} |`),
      '',
      `- Intervals: ${pct(by.interval.rps, by.plain.rps)} req/s against plain (aim: within 2 %).`,
      `- Explanations: at 16 connections p50 ${by.explain.p50} ms against ${by.interval.p50} ms without; with one connection the mean latency is ${by['explain, 1 connection'].meanMs.toFixed(2)} ms against ${by['interval, 1 connection'].meanMs.toFixed(2)} ms, so an explanation adds ${(by['explain, 1 connection'].meanMs - by['interval, 1 connection'].meanMs).toFixed(2)} ms of event-loop time a request (aim: under 1 ms added p50).`,
      `- Drift monitoring: ${pct(by.drift.rps, by.interval.rps)} req/s against the same process kind without it (aim: within 5 %); it counted ${drift.rows} requests, every one it answered in the last hour.`,
      `- Failed or non-2xx responses: ${failures}.`,
      '',
      'Rerun: `npx nx run-many -t build && node bench/trust/run.js --rounds 3 --seconds 10`.',
    ];
    fs.writeFileSync(path.join(ROOT, 'bench/results/trust.md'), lines.join('\n') + '\n');
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
