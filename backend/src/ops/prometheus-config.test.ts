import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * scripts/prometheus-config.sh, the configuration `make up PROMETHEUS=1` starts Prometheus with: loopback
 * targets on the API's, the worker's and the training worker's ports, docker/prometheus/alerts.yml as
 * its rules, and `promtool check config` over both before scripts/up.sh starts anything.
 */
const REPO = path.resolve(__dirname, '..', '..', '..');
const SCRIPT = path.join(REPO, 'scripts', 'prometheus-config.sh');

let tmp: string;
beforeEach(() => (tmp = mkdtempSync(path.join(os.tmpdir(), 'prom-config-'))));
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

const run = (script: string, out: string, env: Record<string, string>) =>
  spawnSync('bash', [script, out], { env: { ...process.env, ...env }, encoding: 'utf8' });

describe('scripts/prometheus-config.sh (make up PROMETHEUS=1)', () => {
  it('writes a configuration promtool accepts, scraping the API, worker and training-worker ports with the alert rules', () => {
    const out = path.join(tmp, 'prometheus', 'prometheus.yml');
    const result = run(SCRIPT, out, {
      PORT: '8123',
      WORKER_METRICS_PORT: '9555',
      TRAINING_WORKER_METRICS_PORT: '9556',
    });
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/SUCCESS: .*prometheus\.yml is valid prometheus config file syntax/);
    expect(result.stderr).toMatch(/SUCCESS: \d+ rules found/);
    const config = JSON.parse(readFileSync(out, 'utf8')) as {
      rule_files: string[];
      scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
    };
    expect(config.rule_files).toEqual([path.join(REPO, 'docker', 'prometheus', 'alerts.yml')]);
    expect(config.scrape_configs.map((j) => [j.job_name, j.static_configs[0]!.targets])).toEqual([
      ['api', ['127.0.0.1:8123']],
      ['worker', ['127.0.0.1:9555']],
      ['training-worker', ['127.0.0.1:9556']],
    ]);
  });

  it('fails when promtool refuses it (here: a broken rule file), so make up stops before starting Prometheus', () => {
    mkdirSync(path.join(tmp, 'repo', 'scripts'), { recursive: true });
    mkdirSync(path.join(tmp, 'repo', 'docker', 'prometheus'), { recursive: true });
    copyFileSync(SCRIPT, path.join(tmp, 'repo', 'scripts', 'prometheus-config.sh'));
    writeFileSync(
      path.join(tmp, 'repo', 'docker', 'prometheus', 'alerts.yml'),
      'groups:\n  - name: g\n    rules:\n      - alert: Broken\n        expr: rate(x[5m]\n',
    );
    const result = run(
      path.join(tmp, 'repo', 'scripts', 'prometheus-config.sh'),
      path.join(tmp, 'p.yml'),
      {},
    );
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('FAILED');
  });

  it('is what scripts/up.sh runs before it starts Prometheus', () => {
    const up = readFileSync(path.join(REPO, 'scripts', 'up.sh'), 'utf8');
    const check = up.indexOf('scripts/prometheus-config.sh .data/prometheus/prometheus.yml');
    expect(check).toBeGreaterThan(0);
    expect(up.indexOf('prometheus --config.file=.data/prometheus/prometheus.yml')).toBeGreaterThan(check);
  });
});
