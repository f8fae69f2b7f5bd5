#!/usr/bin/env node
// Registry under load (issue 11 "Measure"), against the built API (embedded profile: SQLite + local store):
//  1. load with promotions: POST /v1/predictions at 16 and 128 connections for SECONDS each while a
//     promotion or a rollback happens every 5 s; non-2xx count, p99 and the API's RSS trend;
//  2. the registration race: 4 different packages of one name uploaded at once, ROUNDS rounds; then every
//     version is promoted and must answer with its own package's prediction (mismatched versions: 0).
// Usage: node bench/registry/run.js [--seconds 30] [--rounds 20]   (after `npx nx run-many -t build`)
const { spawn, execFileSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const autocannon = require('autocannon');
const { freePort, machineInfo, sleep, waitFor } = require('../support/http');

const ROOT = path.resolve(__dirname, '..', '..');
const args = process.argv.slice(2);
const opt = (name, fallback) =>
  args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : fallback;
const SECONDS = opt('seconds', 30);
const ROUNDS = opt('rounds', 20);
const cli = (...a) =>
  execFileSync('node', [path.join(ROOT, 'ml/dist/cli/main.js'), ...a], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });

function rssMb(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

/** A package archive like `dir`'s with another package version (same model): a different upload. */
function repack(dir, out, packageVersion) {
  const copy = `${out}.dir`;
  fs.cpSync(dir, copy, { recursive: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(copy, 'manifest.json'), 'utf8'));
  manifest.model.version = packageVersion;
  fs.writeFileSync(path.join(copy, 'manifest.json'), JSON.stringify(manifest));
  cli('pack', '--model', copy, '--out', out);
  return { archive: fs.readFileSync(out), packageVersion, record: manifest.parity.records[0] };
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-registry-'));
  const children = [];
  const stop = () => children.forEach((c) => c.kill('SIGTERM'));
  process.on('exit', stop);
  try {
    // Two genuinely different models (different data seeds), each packed under two package versions.
    const packages = [];
    for (const seed of [42, 7]) {
      const csv = path.join(work, `data-${seed}.csv`);
      cli('generate', '--size', 'tiny', '--dirty', '--seed', String(seed), '--out', csv);
      const dir = path.join(work, `model-${seed}`);
      cli('train', '--data', csv, '--out', dir, '--fast', '--seed', String(seed), '--version', `seed${seed}`);
      for (const tag of ['a', 'b'])
        packages.push({
          seed,
          ...repack(dir, path.join(work, `p-${seed}-${tag}.tar.gz`), `seed${seed}-${tag}`),
        });
    }
    const record = packages[0].record;

    const redisPort = await freePort();
    children.push(
      spawn(
        'redis-server',
        ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      ),
    );
    const apiPort = await freePort();
    const adminKey = `hp_${randomBytes(32).toString('base64url')}`;
    const api = spawn('node', [path.join(ROOT, 'backend/dist/main.js')], {
      env: {
        ...process.env,
        PORT: String(apiPort),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        DATABASE_URL: `sqlite:${work}/db.sqlite`,
        ARTIFACT_STORE: `file://${work}/artifacts`,
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        BOOTSTRAP_ADMIN_KEY: adminKey,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(api);
    const base = `http://127.0.0.1:${apiPort}`;
    await waitFor(`${base}/health/live`);
    const admin = { 'x-api-key': adminKey };
    const json = { ...admin, 'content-type': 'application/json' };
    const upload = async (p) => {
      const form = new FormData();
      form.append('package', new Blob([p.archive]), 'pkg.tar.gz');
      const res = await fetch(`${base}/v1/models`, { method: 'POST', headers: admin, body: form });
      return { status: res.status, body: await res.json() };
    };
    const promote = (name, version) =>
      fetch(`${base}/v1/models/${name}/versions/${version}/stage`, {
        method: 'PUT',
        headers: json,
        body: JSON.stringify({ stage: 'production' }),
      });
    const served = async () =>
      (await (await fetch(`${base}/v1/models/current`, { headers: admin })).json()).version;
    const promoteAndWait = async (name, version) => {
      await promote(name, version);
      for (let i = 0; i < 200 && (await served()) !== version; i++) await sleep(50);
    };
    const key = (
      await (
        await fetch(`${base}/v1/keys`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ name: 'bench', scopes: ['predict'], rateLimitPerMinute: 10_000_000 }),
        })
      ).json()
    ).key;

    // 1. Load with promotions.
    const v1 = (await upload(packages[0])).body;
    const v2 = (await upload(packages[2])).body;
    await promoteAndWait(v1.name, v1.version);
    const load = [];
    for (const connections of [16, 128]) {
      const rss = [];
      let changes = 0;
      let changeFailures = 0;
      let running = true;
      const sampler = setInterval(() => rss.push(Math.round(rssMb(api.pid))), 1000);
      const changer = (async () => {
        while (running) {
          await sleep(5000);
          if (!running) break;
          const res =
            changes % 2 === 0
              ? await promote(v2.name, (await served()) === v1.version ? v2.version : v1.version)
              : await fetch(`${base}/v1/models/rollback`, { method: 'POST', headers: admin });
          changes++;
          if (!res.ok) changeFailures++;
        }
      })();
      const r = await new Promise((resolve, reject) =>
        autocannon(
          {
            url: `${base}/v1/predictions`,
            method: 'POST',
            connections,
            duration: SECONDS,
            headers: { 'content-type': 'application/json', 'x-api-key': key },
            body: JSON.stringify({ record }),
          },
          (error, result) => (error ? reject(error) : resolve(result)),
        ),
      );
      running = false;
      clearInterval(sampler);
      await changer;
      load.push({
        connections,
        seconds: SECONDS,
        requests: r.requests.total,
        rps: Math.round(r.requests.average),
        p50: r.latency.p50,
        p99: r.latency.p99,
        non2xx: r.non2xx,
        errors: r.errors,
        stageChanges: changes,
        stageChangeFailures: changeFailures,
        rssMb: { first: rss[0], last: rss.at(-1), max: Math.max(...rss), samples: rss },
      });
      process.stderr.write(
        `load c=${connections}: ${r.requests.total} requests, p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}, ${changes} stage changes, RSS ${rss[0]}→${rss.at(-1)} MB\n`,
      );
    }

    // 2. The registration race.
    const versions = [];
    let raceFailures = 0;
    const raceStarted = Date.now();
    for (let round = 0; round < ROUNDS; round++) {
      const results = await Promise.all(packages.map(upload));
      results.forEach((res, i) => {
        if (res.status !== 201) raceFailures++;
        else
          versions.push({
            version: res.body.version,
            name: res.body.name,
            packageVersion: packages[i].packageVersion,
            seed: packages[i].seed,
          });
      });
    }
    const raceSeconds = (Date.now() - raceStarted) / 1000;
    let mismatched = 0;
    const pricesBySeed = new Map();
    for (const v of versions) {
      const row = await (
        await fetch(`${base}/v1/models/${v.name}/versions/${v.version}`, { headers: admin })
      ).json();
      await promoteAndWait(v.name, v.version);
      const res = await (
        await fetch(`${base}/v1/predictions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': key },
          body: JSON.stringify({ record }),
        })
      ).json();
      const price = res.price;
      if (!pricesBySeed.has(v.seed)) pricesBySeed.set(v.seed, price);
      const wrong =
        row.packageVersion !== v.packageVersion ||
        res.model?.version !== v.version ||
        Math.abs(price - pricesBySeed.get(v.seed)) > 1e-6 * Math.abs(price);
      if (wrong) mismatched++;
    }
    const distinct = new Set([...pricesBySeed.values()]).size;

    const machine = {
      ...machineInfo(),
      commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim(),
    };
    const result = {
      machine,
      profile: 'embedded (SQLite + local artifact store)',
      load,
      race: {
        uploadsAtOnce: packages.length,
        rounds: ROUNDS,
        registered: versions.length,
        failedUploads: raceFailures,
        seconds: raceSeconds,
        versionsChecked: versions.length,
        mismatchedVersions: mismatched,
        distinctModelPrices: distinct,
      },
    };
    fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'bench/results/registry.json'), JSON.stringify(result, null, 2) + '\n');
    const lines = [
      '# Registry under load: promotions during traffic, and the registration race',
      '',
      `${machine.date.slice(0, 10)} on ${machine.cpus}, ${machine.memoryGiB} GiB, Node ${machine.node}. Load average at start: ${machine.loadAverageAtStart} (a machine shared with other work).`,
      `Profile: ${result.profile}; one API process; autocannon on loopback from the same machine.`,
      `Runs of ${SECONDS} s per connection count${SECONDS >= 60 ? ', as the issue asks' : ' (the issue asks 60 s; shortened)'}; commit ${machine.commit}.`,
      '',
      '## Load with a promotion or rollback every 5 s',
      '',
      '| connections | requests | req/s | p50 ms | p99 ms | non-2xx | errors | stage changes (failed) | RSS MB first → last (max) |',
      '|---|---|---|---|---|---|---|---|---|',
      ...load.map(
        (l) =>
          `| ${l.connections} | ${l.requests} | ${l.rps} | ${l.p50} | ${l.p99} | ${l.non2xx} | ${l.errors} | ${l.stageChanges} (${l.stageChangeFailures}) | ${l.rssMb.first} → ${l.rssMb.last} (${l.rssMb.max}) |`,
      ),
      '',
      '## Registration race',
      '',
      `${packages.length} different packages of one name (2 models × 2 package versions) uploaded at once, ${ROUNDS} rounds (${raceSeconds.toFixed(0)} s): ${versions.length} versions registered, ${raceFailures} uploads failed.`,
      `Every version was then promoted and asked for a prediction: **${mismatched} mismatched versions** (the row's package version, the served version and the price of its own model must all agree); ${distinct} distinct model prices seen (2 expected).`,
      '',
      `Rerun: \`npx nx run-many -t build && node bench/registry/run.js --seconds ${SECONDS} --rounds ${ROUNDS}\`.`,
    ];
    fs.writeFileSync(path.join(ROOT, 'bench/results/registry.md'), lines.join('\n') + '\n');
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
