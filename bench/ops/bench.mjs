// Operations benchmark (README "Benchmarks"): (1) the cost of the batch worker's /metrics endpoint,
// (2) dataset registration (POST /v1/datasets: stream, hash, parse, profile, store) of the full-size
// generated CSV and of a tenth of it: time and the API's peak memory during the upload.
// Runs the built API and worker (backend/dist) with SQLite, a local artifact store and a private Redis.
// Not a test: nothing here asserts. Writes bench/results/ops.json; run.sh renders ops.md.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const [csvFull, csvTenth] = process.argv.slice(2);
const ROUNDS = Number(process.env.N ?? 2);
const SCRAPES = Number(process.env.SCRAPES ?? 300);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  const s = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** utime + stime of a process, in ms (from /proc). */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // CLK_TCK = 100 on Linux
}
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

async function waitHttp(url, ms = 60_000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {}
    if (Date.now() > end) throw new Error(`${url} did not answer`);
    await sleep(200);
  }
}

const work = mkdtempSync(path.join(os.tmpdir(), 'bench-ops-'));
const children = [];
const start = (cmd, args, env, log) => {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  child.on('exit', () => writeFileSync(path.join(work, log), out));
  children.push(child);
  return { child, output: () => out };
};

try {
  const redisPort = await freePort();
  start(
    'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {},
    'redis.log',
  );
  const apiPort = await freePort();
  const metricsPort = await freePort();
  const key = `hp_${randomBytes(30).toString('base64url')}`;
  const env = {
    DATABASE_URL: `sqlite:${path.join(work, 'housing.sqlite')}`,
    ARTIFACT_STORE: `file://${path.join(work, 'artifacts')}`,
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    BOOTSTRAP_ADMIN_KEY: key,
    LOG_LEVEL: 'warn',
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    DATASET_UPLOAD_LIMIT_BYTES: String(2 * 1024 ** 3),
  };
  const api = start('node', [path.join(ROOT, 'backend/dist/main.js')], env, 'api.log');
  const base = `http://127.0.0.1:${apiPort}`;
  await waitHttp(`${base}/health/live`);
  const worker = start(
    'node',
    [path.join(ROOT, 'backend/dist/worker.js')],
    { ...env, WORKER_METRICS_PORT: String(metricsPort), WORKER_METRICS_HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    'worker.log',
  );
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  await waitHttp(metricsUrl);
  await sleep(3000);

  // (1) worker metrics endpoint: idle CPU without scrapes, then SCRAPES back-to-back scrapes.
  const wpid = worker.child.pid;
  const idleSeconds = 10;
  const idle0 = cpuMs(wpid);
  await sleep(idleSeconds * 1000);
  const idleCpuPerS = (cpuMs(wpid) - idle0) / idleSeconds;
  const latencies = [];
  let bodyBytes = 0;
  const c0 = cpuMs(wpid);
  for (let i = 0; i < SCRAPES; i++) {
    const t0 = performance.now();
    const body = await (await fetch(metricsUrl)).text();
    latencies.push(performance.now() - t0);
    bodyBytes = body.length;
  }
  const cpuPerScrape =
    (cpuMs(wpid) - c0) / SCRAPES - idleCpuPerS * (latencies.reduce((a, b) => a + b, 0) / 1000 / SCRAPES);
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  const metrics = {
    scrapes: SCRAPES,
    bodyBytes,
    latencyMs: { p50: q(0.5), p99: q(0.99) },
    cpuMsPerScrape: cpuPerScrape,
    idleCpuMsPerSecond: idleCpuPerS,
    // share of one core at Prometheus' 15 s scrape interval
    overheadAt15s: cpuPerScrape / 15_000,
    workerRssMb: rssMb(wpid),
  };
  process.stderr.write(`metrics: ${JSON.stringify(metrics)}\n`);

  // (2) dataset registration, full file and a tenth, ROUNDS each, interleaved; the dataset is deleted
  // after each round so the next one registers again (the same bytes would dedupe).
  const files = [
    { name: 'tenth', file: csvTenth },
    { name: 'full', file: csvFull },
  ];
  const hashFloor = {};
  for (const f of files) {
    const t0 = performance.now();
    const h = createHash('sha256');
    for await (const c of createReadStream(f.file, { highWaterMark: 1 << 20 })) h.update(c);
    h.digest('hex');
    hashFloor[f.name] = (performance.now() - t0) / 1000;
  }
  const runs = [];
  const apid = api.child.pid;
  for (let round = 0; round < ROUNDS; round++) {
    for (const f of files) {
      const before = rssMb(apid);
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMb(apid))), 25);
      const t0 = performance.now();
      // curl runs asynchronously so the RSS sampler above keeps running during the upload.
      const { stdout: out } = await promisify(execFile)(
        'curl',
        [
          '-sS',
          '-H',
          `x-api-key: ${key}`,
          '-F',
          'spec=housets',
          '-F',
          `file=@${f.file}`,
          `${base}/v1/datasets`,
        ],
        { maxBuffer: 1 << 26 },
      );
      const seconds = (performance.now() - t0) / 1000;
      clearInterval(sampler);
      const dataset = JSON.parse(out);
      if (!dataset.id) throw new Error(`upload failed: ${out.slice(0, 500)}`);
      runs.push({
        round,
        file: f.name,
        bytes: dataset.bytes,
        rows: dataset.rows,
        seconds,
        rssBeforeMb: before,
        rssPeakMb: peak,
      });
      process.stderr.write(
        `dataset ${f.name} round ${round}: ${seconds.toFixed(2)} s, RSS ${before.toFixed(0)} → peak ${peak.toFixed(0)} MB\n`,
      );
      await fetch(`${base}/v1/datasets/${dataset.id}`, { method: 'DELETE', headers: { 'x-api-key': key } });
      await sleep(1000);
    }
  }
  const result = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model}, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB, shared with other work`,
    node: process.version,
    metrics,
    datasets: { hashFloorSeconds: hashFloor, runs },
  };
  writeFileSync(path.join(ROOT, 'bench/results/ops.json'), JSON.stringify(result, null, 2) + '\n');
} finally {
  for (const c of children.reverse()) c.kill('SIGTERM');
  await sleep(1500);
  if (!process.env.KEEP_WORK) rmSync(work, { recursive: true, force: true });
  else process.stderr.write(`work dir kept: ${work}\n`);
}
