#!/usr/bin/env node
// Batch benchmark driver (see run.sh). Two stacks on one private redis-server, each with its own API,
// SQLite file, local artifact store and queue prefix: "new" (this checkout's backend/dist) and "old" (the
// build of an earlier commit, --old ROOT). Measures, in N interleaved rounds (the order rotates each round):
//   old-1w       one job on the full file, old build, 1 worker process (today's worker before this work)
//   new-1w       the same with this build (large inputs split into shards, default BATCH_SHARD_BYTES)
//   new-2w       the same with 2 worker processes (the shards spread over both)
//   new-tenth    the first tenth of the file, new build, 1 worker (peak RSS should not grow with the input)
//   predecessor  pandas read_csv + pandas features + native XGBoost predict + DataFrame.to_csv (seeds_way.py --write)
//   tuned        pandas read_csv(engine="pyarrow") + the same features + native XGBoost on every core, nothing written
// (and, only when named in --kinds, new-half: the first half of the file, for where the peak RSS settles)
// then one worker of each build under node --cpu-prof for one full job (top 10 functions by self time).
// Rows/s run from the POST to the finished job; worker CPU is read from /proc between the submit and the
// end (the job only, not the process start); peak RSS is the worker's whole life (its exit log line).
// Writes every run, the medians and the aims to --out (JSON) and --md. Not a test: nothing here asserts.
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { parseArgs } = require('node:util');

const ROOT = path.resolve(__dirname, '..', '..');
const ml = require(path.join(ROOT, 'ml', 'dist', 'index.js'));

const { values: args } = parseArgs({
  options: {
    csv: { type: 'string' },
    model: { type: 'string' },
    old: { type: 'string' },
    'old-ref': { type: 'string', default: 'old build' },
    // A subset of the runs (comma-separated; new-half is only run when asked): no profiles, no Markdown.
    kinds: { type: 'string' },
    runs: { type: 'string', default: '3' },
    python: { type: 'string' },
    booster: { type: 'string' },
    out: { type: 'string' },
    md: { type: 'string' },
  },
});
const RUNS = Number(args.runs);
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
const log = (msg) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const load = () => os.loadavg().map((x) => Math.round(x * 100) / 100);
const median = (xs) => {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};

async function freePort() {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/** A child process whose output lines are kept (JSON log lines parsed when possible). */
function start(name, command, argv, env, logFile) {
  const child = spawn(command, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = fs.createWriteStream(logFile, { flags: 'a' });
  const lines = [];
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream }).on('line', (line) => {
      out.write(line + '\n');
      try {
        lines.push(JSON.parse(line));
      } catch {
        lines.push({ msg: line });
      }
    });
  }
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { name, child, lines, exited };
}

async function waitFor(probe, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** CPU seconds (user + system) a live process has used, from /proc. */
function cpuSecondsOf(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime, stime (fields 14 and 15)
}

/** Copies the header and the first `rows` rows of a CSV (one record per line). */
async function head(src, dst, rows) {
  const out = fs.createWriteStream(dst);
  const rl = readline.createInterface({
    input: fs.createReadStream(src, { highWaterMark: 1 << 20 }),
    crlfDelay: Infinity,
  });
  let i = -1;
  for await (const line of rl) {
    if (!out.write(line + '\n')) await new Promise((r) => out.once('drain', r));
    if (++i >= rows) break;
  }
  out.end();
  await new Promise((r) => out.once('close', r));
}

async function countRows(file) {
  let n = -1;
  const rl = readline.createInterface({
    input: fs.createReadStream(file, { highWaterMark: 1 << 20 }),
    crlfDelay: Infinity,
  });
  for await (const line of rl) if (line !== '') n++;
  return n;
}

function runJson(command, argv) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(stdout))
        : reject(new Error(`${command} ${argv.join(' ')} failed (${code}):\n${stderr.slice(-3000)}`)),
    );
  });
}

/**
 * One stack: an API process of `buildRoot` with its own SQLite file, artifact store and queue prefix, the
 * model registered and in production; workers of the same build are started per run.
 */
async function startStack({ name, buildRoot, scratch, redisPort, inputs, processes }) {
  const dir = path.join(scratch, name);
  const datasets = path.join(dir, 'artifacts', 'datasets');
  fs.mkdirSync(datasets, { recursive: true });
  const files = {};
  for (const [key, file] of Object.entries(inputs)) {
    files[key] = path.join(datasets, path.basename(file));
    fs.linkSync(file, files[key]);
  }
  const adminKey = `hp_${randomBytes(32).toString('hex')}`;
  const apiPort = await freePort();
  const env = {
    DATABASE_URL: `sqlite:${path.join(dir, 'housing.sqlite')}`,
    ARTIFACT_STORE: `file://${path.join(dir, 'artifacts')}`,
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    BOOTSTRAP_ADMIN_KEY: adminKey,
    QUEUE_PREFIX: `bench-${name}`,
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    ONNX_THREADS: '1',
    MODEL_RECONCILE_INTERVAL_MS: '0',
    RATE_LIMIT_PER_MINUTE: '100000',
    BATCH_QUEUE_METRICS_INTERVAL_MS: '0',
  };
  const main = path.join(buildRoot, 'backend', 'dist', 'main.js');
  processes.push(
    start(`${name}-api`, process.execPath, [main], { ...env, LOG_LEVEL: 'warn' }, path.join(dir, 'api.log')),
  );
  const base = `http://127.0.0.1:${apiPort}`;
  await waitFor(async () => (await fetch(`${base}/health/live`)).ok, 60_000, `the ${name} API`);
  const http = async (method, route, body) => {
    const res = await fetch(base + route, {
      method,
      headers: {
        'x-api-key': adminKey,
        ...(body && !(body instanceof FormData) && { 'content-type': 'application/json' }),
      },
      body: body instanceof FormData ? body : body && JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${name} ${method} ${route}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };

  const form = new FormData();
  form.append('package', new Blob([ml.packPackage(ml.readPackage(args.model))]), 'package.tar.gz');
  const registered = await http('POST', '/v1/models', form);
  await http('PUT', `/v1/models/${registered.name}/versions/${registered.version}/stage`, {
    stage: 'production',
  });
  await waitFor(
    async () => (await http('GET', '/v1/models/current')).version === registered.version,
    60_000,
    `the ${name} model`,
  );

  let seq = 0;
  const startWorkers = async (n, nodeArgs = []) => {
    const ws = [];
    for (let i = 0; i < n; i++) {
      const w = start(
        `${name}-worker-${++seq}`,
        process.execPath,
        [...nodeArgs, path.join(buildRoot, 'backend', 'dist', 'worker.js')],
        { ...env, LOG_LEVEL: 'info' },
        path.join(dir, `worker-${seq}.log`),
      );
      processes.push(w);
      ws.push(w);
    }
    await Promise.all(
      ws.map((w) =>
        waitFor(async () => w.lines.some((l) => l.msg === 'worker ready'), 60_000, `${w.name} ready`),
      ),
    );
    return ws;
  };
  /** Stops the workers (SIGTERM: a clean exit, which also writes a --cpu-prof profile); their peak RSS. */
  const stopWorkers = async (ws) => {
    for (const w of ws) w.child.kill('SIGTERM');
    await Promise.all(ws.map((w) => w.exited));
    await sleep(50);
    return ws.map((w) => {
      const exit = w.lines.find((l) => l.event === 'worker-exit');
      return exit ? exit.maxRssKb / 1024 : null;
    });
  };
  /** One job on `file` with `n` fresh workers: rows/s from the POST to completion, worker CPU of the job. */
  const job = async (file, n, nodeArgs) => {
    const loadStart = load();
    const ws = await startWorkers(n, nodeArgs);
    const cpuBefore = ws.map((w) => cpuSecondsOf(w.child.pid));
    const t0 = performance.now();
    const { id } = await http('POST', '/v1/batch-jobs', { inputUri: `file://${files[file]}` });
    let done;
    for (;;) {
      done = await http('GET', `/v1/batch-jobs/${id}`);
      if (done.status === 'completed') break;
      if (done.status === 'failed' || done.status === 'cancelled')
        throw new Error(`${name} job ${id} ${done.status}: ${done.error}`);
      await sleep(100);
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = ws.reduce((sum, w, i) => sum + cpuSecondsOf(w.child.pid) - cpuBefore[i], 0);
    const rss = await stopWorkers(ws);
    return {
      build: name,
      workers: n,
      rows: done.rowsRead,
      rows_failed: done.rowsFailed,
      seconds,
      rows_per_second: done.rowsRead / seconds,
      worker_cpu_seconds: cpu,
      rows_per_worker_cpu_second: done.rowsRead / cpu,
      peak_rss_mb: Math.max(...rss),
      peak_rss_mb_each: rss,
      loadavg_start: loadStart,
      loadavg_end: load(),
    };
  };
  return { registered, job, dir };
}

/** One worker of a stack under node --cpu-prof for one full job; the profile's top 10 by self time. */
async function profile(stack, build) {
  const dir = path.join(stack.dir, 'cpu-prof');
  fs.mkdirSync(dir, { recursive: true });
  const run = await stack.job('full', 1, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  const file = path.join(
    dir,
    fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile')),
  );
  const top = JSON.parse(
    execFileSync(process.execPath, [path.join(__dirname, 'profile-top.js'), file, '10', '--busy'], {
      encoding: 'utf8',
    }),
  );
  return { build, run, ...top };
}

/** The batch settings taken from this process's environment (the stacks inherit it). */
const shardEnv = () =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('BATCH_')));

function machine() {
  const cpu = os.cpus();
  return {
    date: new Date().toISOString(),
    hostname: os.hostname(),
    cpus: cpu.length,
    cpu_model: cpu[0]?.model ?? 'unknown',
    memory_gb: Math.round(os.totalmem() / 1e9),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    loadavg: load(),
  };
}

const fmt = (x, digits = 0) =>
  x === null || x === undefined || Number.isNaN(x)
    ? 'n/a'
    : Number(x).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const KINDS = {
  'old-1w': "End to end, full file, **old build** (today's worker), 1 worker process",
  'new-1w': 'End to end, full file, new build, 1 worker process',
  'new-2w': 'End to end, full file, new build, **2 worker processes** (one job, its shards on both)',
  'new-tenth': 'End to end, first tenth of the file, new build, 1 worker process',
  predecessor:
    "Predecessor's way: pandas read_csv + pandas features + native XGBoost predict + DataFrame.to_csv",
  tuned:
    'Tuned pandas: read_csv(engine="pyarrow") + the same features (tuned pandas) + native XGBoost predict on every core, nothing written',
};

function summarise(runs) {
  const pick = (kind, key) => median(runs[kind].map((r) => r[key]));
  const s = Object.fromEntries(
    Object.keys(KINDS).map((kind) => [
      kind,
      {
        rows_per_second: pick(kind, 'rows_per_second'),
        seconds: pick(kind, 'seconds'),
        rows_per_worker_cpu_second: pick(kind, 'rows_per_worker_cpu_second'),
        worker_cpu_seconds: pick(kind, 'worker_cpu_seconds'),
        peak_rss_mb: pick(kind, 'peak_rss_mb'),
      },
    ]),
  );
  const aims = {
    two_workers_over_tuned: { value: s['new-2w'].rows_per_second / s.tuned.rows_per_second, aim: 1.0 },
    two_workers_over_predecessor: {
      value: s['new-2w'].rows_per_second / s.predecessor.rows_per_second,
      aim: 2.5,
    },
    per_core_new_over_old: {
      value: s['new-1w'].rows_per_worker_cpu_second / s['old-1w'].rows_per_worker_cpu_second,
      aim: 2.0,
    },
    peak_rss_full_over_tenth: {
      value: s['new-1w'].peak_rss_mb / s['new-tenth'].peak_rss_mb,
      aim: 1.2,
      at_most: true,
    },
  };
  for (const a of Object.values(aims)) a.met = a.at_most ? a.value <= a.aim : a.value >= a.aim;
  return { ...s, aims };
}

/** Plain-words reading of the medians, so the Markdown never claims what the numbers do not show. */
function notes(s, runs) {
  const a = s.aims;
  const met = (x) => (x.met ? 'met' : '**missed**');
  const loads = Object.values(runs)
    .flat()
    .map((r) => r.loadavg_start[0]);
  return [
    `One job with 2 workers: ${fmt(s['new-2w'].rows_per_second)} rows/s, ${fmt(a.two_workers_over_tuned.value, 2)}× the tuned pandas + native XGBoost predict-only run (aim ≥ 1.0×: ${met(a.two_workers_over_tuned)}) ` +
      `and ${fmt(a.two_workers_over_predecessor.value, 2)}× the predecessor's way writing its results (aim ≥ 2.5×: ${met(a.two_workers_over_predecessor)}). ` +
      `The 2-worker job is ${fmt(s['new-2w'].rows_per_second / s['new-1w'].rows_per_second, 2)}× the 1-worker one: the shards use both cores, which other processes on this shared machine also use (1-minute load ${fmt(Math.min(...loads), 1)} to ${fmt(Math.max(...loads), 1)} at the start of the runs).`,
    `Per core: the new worker scores ${fmt(s['new-1w'].rows_per_worker_cpu_second)} rows per worker CPU-second against ${fmt(s['old-1w'].rows_per_worker_cpu_second)} for the old build, ` +
      `${fmt(a.per_core_new_over_old.value, 2)}× (aim ≥ 2×: ${met(a.per_core_new_over_old)}); with 2 workers ${fmt(s['new-2w'].rows_per_worker_cpu_second)}. ` +
      "CPU seconds are the workers' own from the submit to the end of the job, so the figure moves less with the machine's load than rows/s.",
    `Peak worker RSS, full file vs a tenth of it (new build, 1 worker): ${fmt(s['new-1w'].peak_rss_mb)} MB vs ${fmt(s['new-tenth'].peak_rss_mb)} MB, ` +
      `${fmt(a.peak_rss_full_over_tenth.value, 2)}× (aim ≤ 1.2×: ${met(a.peak_rss_full_over_tenth)}); old build ${fmt(s['old-1w'].peak_rss_mb)} MB, 2 workers ${fmt(s['new-2w'].peak_rss_mb)} MB the larger of the two. ` +
      `The pandas runs hold the whole file: ${fmt(s.predecessor.peak_rss_mb)} MB (predecessor) and ${fmt(s.tuned.peak_rss_mb)} MB (tuned).`,
  ];
}

function markdown(result) {
  const { summary: s, machine: m, runs } = result;
  const list = (rs, key, d = 0) => rs.map((r) => fmt(r[key], d)).join(', ');
  const loads = (rs) => rs.map((r) => `${fmt(r.loadavg_start[0], 1)}→${fmt(r.loadavg_end[0], 1)}`).join(', ');
  const py = runs.predecessor[0] ?? {};
  const profileTable = (p) => [
    `**${p.build}** (${fmt(p.run.rows)} rows in ${fmt(p.run.seconds, 1)} s, ${fmt(p.busy_ms / 1000, 1)} s of busy samples over the worker's life, idle left out; GC ${fmt(p.gc_share, 1)} %):`,
    '',
    '| # | function (self time) | ms | share of busy samples |',
    '|---:|---|---:|---:|',
    ...p.top.map((t, i) => `| ${i + 1} | \`${t.name}\` | ${fmt(t.ms)} | ${fmt(t.share, 1)} % |`),
    '',
  ];
  return [
    '# Batch predictions: benchmark',
    '',
    `Recorded ${m.date} on ${m.hostname}: ${m.cpus} × ${m.cpu_model}, ${m.memory_gb} GB, ${m.os}, Node ${m.node}, pandas ${py.pandas ?? 'n/a'}, ` +
      `pyarrow ${runs.tuned[0]?.pyarrow ?? 'n/a'}, xgboost ${py.xgboost ?? 'n/a'}. Load average (1 / 5 / 15 min) at the start ${m.loadavg.join(' / ')}, ` +
      `at the end ${result.machine_end.loadavg.join(' / ')}; the machine is shared with other work, so each run's 1-minute load at its start and end is listed.`,
    '',
    `Input: ${fmt(result.rows)} rows, the full-size generated HouseTS file (${fmt(result.input_mb)} MB); the tenth: its first ${fmt(result.tenth_rows)} rows. ` +
      `Model: \`ml train --fast\` on it (package ${result.model.package}), one ONNX thread per worker. Old build: ${result.old_ref}. ` +
      `Medians of ${RUNS} interleaved rounds (the order rotates each round). Produced by \`bash bench/batch/run.sh\`.`,
    '',
    '| run | rows/s (median) | rows/s each run | rows per CPU-second (median): workers, or the Python process | peak RSS MB (median) | 1-min load start→end |',
    '|---|---:|---|---:|---:|---|',
    ...Object.entries(KINDS).map(
      ([kind, label]) =>
        `| ${label} | ${fmt(s[kind].rows_per_second)} | ${list(runs[kind], 'rows_per_second')} | ${fmt(s[kind].rows_per_worker_cpu_second)} | ${fmt(s[kind].peak_rss_mb)} | ${loads(runs[kind])} |`,
    ),
    '',
    "Rows per CPU-second: rows over the worker processes' CPU time (user + system, /proc) from the submit to the end of the job; " +
      "for pandas, over the Python process's CPU time (every thread) of the timed part. " +
      "peak RSS: the largest worker's whole life (pandas: the Python process). The pandas runs write nothing but the predecessor's `to_csv` " +
      '(to /dev/null); their rows/s include reading, features and predict (and writing), not the Python start.',
    '',
    '## Aims (issue 14)',
    '',
    '| aim | measured | |',
    '|---|---:|---|',
    `| one job, 2 workers ≥ 1.0× tuned predict-only rows/s | ${fmt(s.aims.two_workers_over_tuned.value, 2)}× | ${s.aims.two_workers_over_tuned.met ? 'met' : 'missed'} |`,
    `| one job, 2 workers ≥ 2.5× the predecessor's way writing results | ${fmt(s.aims.two_workers_over_predecessor.value, 2)}× | ${s.aims.two_workers_over_predecessor.met ? 'met' : 'missed'} |`,
    `| rows per worker CPU-second ≥ 2× today's (old build) | ${fmt(s.aims.per_core_new_over_old.value, 2)}× | ${s.aims.per_core_new_over_old.met ? 'met' : 'missed'} |`,
    `| peak worker RSS ≤ 1.2× for ten times the input | ${fmt(s.aims.peak_rss_full_over_tenth.value, 2)}× | ${s.aims.peak_rss_full_over_tenth.met ? 'met' : 'missed'} |`,
    '',
    '## Worker CPU profile, top 10 by self time, before and after',
    '',
    'One worker under `node --cpu-prof` for one full-file job (after the timed rounds), summarised by `bench/batch/profile-top.js --busy`.',
    '',
    ...result.profiles.flatMap(profileTable),
    '## What the numbers say',
    '',
    ...result.notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
}

async function main() {
  const started = machine();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-batch-'));
  const processes = [];
  const cleanup = () => {
    for (const p of processes)
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    if (!process.env.KEEP_WORK) fs.rmSync(scratch, { recursive: true, force: true });
  };
  try {
    log('preparing inputs');
    const full = path.join(scratch, 'housets-full.csv');
    fs.copyFileSync(args.csv, full);
    const rows = await countRows(full);
    const tenthRows = Math.ceil(rows / 10);
    const tenth = path.join(scratch, 'housets-tenth.csv');
    await head(full, tenth, tenthRows);
    const wanted = args.kinds ? args.kinds.split(',') : Object.keys(KINDS);
    const half = path.join(scratch, 'housets-half.csv');
    if (wanted.includes('new-half')) await head(full, half, Math.ceil(rows / 2));

    const redisPort = await freePort();
    const redis = start(
      'redis',
      'redis-server',
      ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {},
      path.join(scratch, 'redis.log'),
    );
    processes.push(redis);
    await waitFor(
      async () => redis.lines.some((l) => /Ready to accept connections/.test(l.msg ?? '')),
      10_000,
      'redis',
    );

    log('starting the new and the old stack, registering the model in each');
    const inputs = { full, tenth, ...(wanted.includes('new-half') && { half }) };
    const common = { scratch, redisPort, inputs, processes };
    const fresh = await startStack({ name: 'new', buildRoot: ROOT, ...common });
    const old = wanted.includes('old-1w')
      ? await startStack({ name: 'old', buildRoot: path.resolve(args.old), ...common })
      : null;

    const seeds = async (mode) => {
      const loadStart = load();
      const extra = mode === 'tuned' ? ['--tuned'] : ['--write', '/dev/null'];
      const r = await runJson(args.python, [
        path.join(__dirname, 'seeds_way.py'),
        '--csv',
        full,
        '--booster',
        args.booster,
        ...extra,
      ]);
      const tuned = mode === 'tuned';
      return {
        ...r,
        rows_per_second: tuned ? r.rows_per_second : r.rows_per_second_with_write,
        // The Python process's CPU (every thread), in the column of the workers' CPU.
        rows_per_worker_cpu_second: r.rows_read / (tuned ? r.cpu_seconds : r.cpu_seconds_with_write),
        loadavg_start: loadStart,
        loadavg_end: load(),
      };
    };
    const kinds = {
      'old-1w': () => old.job('full', 1),
      'new-1w': () => fresh.job('full', 1),
      'new-2w': () => fresh.job('full', 2),
      'new-tenth': () => fresh.job('tenth', 1),
      'new-half': () => fresh.job('half', 1),
      predecessor: () => seeds('predecessor'),
      tuned: () => seeds('tuned'),
    };
    const names = Object.keys(kinds).filter((k) => wanted.includes(k));
    const runs = Object.fromEntries(names.map((k) => [k, []]));
    for (let round = 0; round < RUNS; round++) {
      const order = [...names.slice(round % names.length), ...names.slice(0, round % names.length)];
      for (const kind of order) {
        log(`round ${round + 1}/${RUNS}: ${kind}`);
        const r = await kinds[kind]();
        runs[kind].push(r);
        log(
          `  ${Math.round(r.rows_per_second)} rows/s${r.rows_per_worker_cpu_second ? `, ${Math.round(r.rows_per_worker_cpu_second)} rows per worker CPU-s` : ''}, peak RSS ${Math.round(r.peak_rss_mb)} MB, load ${r.loadavg_start[0]}→${r.loadavg_end[0]}`,
        );
      }
    }
    if (args.kinds) {
      const partial = { machine: started, machine_end: machine(), rows, kinds: names, env: shardEnv(), runs };
      fs.writeFileSync(args.out, JSON.stringify(partial, null, 2) + '\n');
      log(`wrote ${args.out} (the runs of ${names.join(', ')} only)`);
      return;
    }
    log('CPU profiles: one worker of each build, one full job each');
    const profiles = [
      await profile(old, `before (${args['old-ref']})`),
      await profile(fresh, 'after (this build)'),
    ];

    const summary = summarise(runs);
    const result = {
      summary,
      machine: started,
      machine_end: machine(),
      rows,
      tenth_rows: tenthRows,
      input_mb: fs.statSync(full).size / 1e6,
      old_ref: args['old-ref'],
      model: { name: fresh.registered.name, package: fresh.registered.packageVersion },
      notes: notes(summary, runs),
      runs,
      profiles,
    };
    fs.writeFileSync(args.out, JSON.stringify(result, null, 2) + '\n');
    log(`wrote ${args.out}`);
    if (args.md) {
      fs.writeFileSync(args.md, markdown(result));
      log(`wrote ${args.md}`);
    }
  } finally {
    cleanup();
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
