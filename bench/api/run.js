#!/usr/bin/env node
// API benchmark: POST /v1/predictions requests/s and p50/p99 latency at 1, 16 and 64 connections against
// the real API (auth, validation, metrics, logging at the default level) and, in the same run and
// interleaved, against a bare Fastify ceiling with the same transform and ONNX session; API memory
// (RSS) with the model loaded; the bulk endpoint's records/s at 1,000 records a request.
// Figures are medians over ROUNDS rounds. Usage: node bench/api/run.js [--rounds 3] [--seconds 10]
const { spawn, execFileSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const autocannon = require('autocannon');
const { freePort, machineInfo, median, waitFor } = require('../support/http');

const ROOT = path.resolve(__dirname, '..', '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : fallback);
const ROUNDS = opt('rounds', 3);
const SECONDS = opt('seconds', 10);
const CONNECTIONS = [1, 16, 64];
const cli = (...a) => execFileSync('node', [path.join(ROOT, 'ml/dist/cli/main.js'), ...a], { stdio: ['ignore', 'ignore', 'inherit'] });

function rssMb(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)[1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

function load(url, body, connections, headers, seconds = SECONDS) {
  return new Promise((resolve, reject) => {
    autocannon(
      { url, method: 'POST', connections, duration: seconds, headers: { 'content-type': 'application/json', ...headers }, body },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-api-'));
  const children = [];
  const stop = () => children.forEach((c) => c.kill('SIGTERM'));
  process.on('exit', stop);
  try {
    const csv = path.join(ROOT, 'data/generated/housets-demo.csv');
    if (!fs.existsSync(csv)) cli('generate', '--size', 'demo', '--dirty', '--out', csv);
    const pkgDir = path.join(work, 'pkg');
    cli('train', '--data', csv, '--out', pkgDir, '--fast');
    cli('pack', '--model', pkgDir, '--out', `${pkgDir}.tar.gz`);
    const manifest = JSON.parse(fs.readFileSync(path.join(pkgDir, 'manifest.json'), 'utf8'));

    const redisPort = await freePort();
    children.push(spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }));
    const apiPort = await freePort();
    const adminKey = `hp_${randomBytes(32).toString('base64url')}`;
    const api = spawn('node', [path.join(ROOT, 'backend/dist/main.js')], {
      env: {
        ...process.env,
        PORT: String(apiPort),
        HOST: '127.0.0.1',
        DATABASE_URL: `sqlite:${work}/db.sqlite`,
        ARTIFACT_STORE: `file://${work}/artifacts`,
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        BOOTSTRAP_ADMIN_KEY: adminKey,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(api);
    const base = `http://127.0.0.1:${apiPort}`;
    await waitFor(`${base}/health/live`, {}, 30_000);
    const admin = { 'x-api-key': adminKey };
    const form = new FormData();
    form.append('package', new Blob([fs.readFileSync(`${pkgDir}.tar.gz`)]), 'pkg.tar.gz');
    const registered = await (await fetch(`${base}/v1/models`, { method: 'POST', headers: admin, body: form })).json();
    await fetch(`${base}/v1/models/${registered.name}/versions/${registered.version}/stage`, {
      method: 'PUT',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ stage: 'production' }),
    });
    await waitFor(`${base}/health/ready`, {}, 30_000);
    const created = await (
      await fetch(`${base}/v1/keys`, {
        method: 'POST',
        headers: { ...admin, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'bench', scopes: ['predict'], rateLimitPerMinute: 10_000_000 }),
      })
    ).json();
    const key = { 'x-api-key': created.key };
    const rssIdle = rssMb(api.pid);

    const ceilingPort = await freePort();
    const ceiling = spawn('node', [path.join(__dirname, 'ceiling.js'), pkgDir, String(ceilingPort)], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(ceiling);
    await new Promise((resolve) => ceiling.stdout.once('data', resolve));

    const records = manifest.parity.records;
    const one = JSON.stringify({ record: records[0] });
    const bulk = JSON.stringify({ records: Array.from({ length: 1000 }, (_, i) => records[i % records.length]) });
    // Warm both servers (JIT, session) before measuring.
    await load(`${base}/v1/predictions`, one, 16, key, 3);
    await load(`http://127.0.0.1:${ceilingPort}/v1/predictions`, one, 16, {}, 3);

    const runs = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const connections of CONNECTIONS) {
        for (const target of ['api', 'ceiling']) {
          const url = target === 'api' ? `${base}/v1/predictions` : `http://127.0.0.1:${ceilingPort}/v1/predictions`;
          const r = await load(url, one, connections, target === 'api' ? key : {});
          runs.push({ round, target, connections, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors });
          process.stderr.write(`round ${round + 1} ${target} c=${connections}: ${r.requests.average.toFixed(0)} req/s p50 ${r.latency.p50} ms p99 ${r.latency.p99} ms non2xx ${r.non2xx}\n`);
        }
      }
      const b = await load(`${base}/v1/predictions/bulk`, bulk, 2, key);
      runs.push({ round, target: 'bulk', connections: 2, rps: b.requests.average, recordsPerSecond: b.requests.average * 1000, p50: b.latency.p50, p99: b.latency.p99, non2xx: b.non2xx });
      process.stderr.write(`round ${round + 1} bulk: ${(b.requests.average * 1000).toFixed(0)} records/s\n`);
    }
    const rssLoaded = rssMb(api.pid);

    const summary = CONNECTIONS.map((connections) => {
      const pick = (target, field) => median(runs.filter((r) => r.target === target && r.connections === connections).map((r) => r[field]));
      const apiRps = pick('api', 'rps');
      const ceilingRps = pick('ceiling', 'rps');
      return { connections, apiRps, apiP50: pick('api', 'p50'), apiP99: pick('api', 'p99'), ceilingRps, ceilingP50: pick('ceiling', 'p50'), ceilingP99: pick('ceiling', 'p99'), ratio: apiRps / ceilingRps };
    });
    const bulkRecords = median(runs.filter((r) => r.target === 'bulk').map((r) => r.recordsPerSecond));
    const failures = runs.reduce((n, r) => n + (r.non2xx ?? 0) + (r.errors ?? 0), 0);
    const machine = machineInfo();
    const result = { machine, rounds: ROUNDS, secondsPerRun: SECONDS, model: { features: manifest.features.names.length, trees: manifest.hyperparameters.n_estimators }, summary, bulkRecordsPerSecond: bulkRecords, rssMb: { idleWithModel: rssIdle.rss, afterLoad: rssLoaded.rss, peak: rssLoaded.peak }, failures, runs };
    fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'bench/results/api.json'), JSON.stringify(result, null, 2) + '\n');
    const at16 = summary.find((s) => s.connections === 16);
    const lines = [
      '# API benchmark: POST /v1/predictions',
      '',
      `${machine.date.slice(0, 10)} on ${machine.cpus}, ${machine.memoryGiB} GiB, Node ${machine.node}. Load average at start: ${machine.loadAverageAtStart}.`,
      `Medians of ${ROUNDS} rounds of ${SECONDS} s per point (autocannon on loopback, from the same 2-core machine); API and ceiling interleaved.`,
      `Model: the demo package (${result.model.features} features, ${result.model.trees} trees). Ceiling: bare Fastify + the same transform + the same ONNX session, no auth/validation/logging/metrics.`,
      '',
      '| connections | API req/s | API p50 ms | API p99 ms | ceiling req/s | ceiling p99 ms | API / ceiling |',
      '|---|---|---|---|---|---|---|',
      ...summary.map((s) => `| ${s.connections} | ${s.apiRps.toFixed(0)} | ${s.apiP50} | ${s.apiP99} | ${s.ceilingRps.toFixed(0)} | ${s.ceilingP99} | ${(100 * s.ratio).toFixed(0)}% |`),
      '',
      `Bulk (1,000 records a request, 2 connections): ${bulkRecords.toFixed(0)} records/s.`,
      `API RSS with the model loaded: ${rssIdle.rss.toFixed(0)} MB idle, ${rssLoaded.rss.toFixed(0)} MB after the load (peak ${rssLoaded.peak.toFixed(0)} MB).`,
      `Failed or non-2xx responses during the run: ${failures}.`,
      '',
      `Aims: ≥ 60% of the ceiling at 16 connections: ${(100 * at16.ratio).toFixed(0)}% (${at16.ratio >= 0.6 ? 'met' : 'not met'}); p99 < 10 ms at 16 connections: ${at16.apiP99} ms (${at16.apiP99 < 10 ? 'met' : 'not met'}); RSS < 250 MB with the model loaded: ${rssLoaded.rss.toFixed(0)} MB after the load (${rssLoaded.rss < 250 ? 'met' : 'not met'}; the high-water mark, ${rssLoaded.peak.toFixed(0)} MB, is reached while a package is registered: verification opens a second ONNX session).`,
      '',
      'Rerun: `npx nx run-many -t build && node bench/api/run.js --rounds 3 --seconds 10`.',
    ];
    fs.writeFileSync(path.join(ROOT, 'bench/results/api.md'), lines.join('\n') + '\n');
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
