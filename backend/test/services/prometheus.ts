import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findExecutable } from './binaries';
import { ServiceProcess, freePort } from './process';

export interface PrometheusService {
  readonly port: number;
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** GET /api/v1/query?query=… ; throws unless Prometheus answers `success`. */
  query(promql: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  /** GET /api/v1/rules: every rule with its evaluation health. */
  rules(): Promise<Array<{ name: string; health: string; lastError?: string; query: string }>>;
  stop(): Promise<void>;
  output(): string;
}

export interface PrometheusOptions {
  /** host:port targets per job name (e.g. { api: ['127.0.0.1:41234'], worker: [...] }). */
  targets: Record<string, string[]>;
  /** Absolute paths of rule files to load (e.g. docker/prometheus/alerts.yml). */
  ruleFiles?: string[];
  /** Scrape and rule evaluation interval (default 1s: tests need samples quickly). */
  intervalSeconds?: number;
}

/**
 * A throwaway Prometheus (Debian package `prometheus`) on a free loopback port, scraping `targets`,
 * with its TSDB in a temp dir that is removed on stop.
 */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusService> {
  const binary = findExecutable('prometheus', 'prometheus');
  const base = mkdtempSync(path.join(os.tmpdir(), 'housing-prom-'));
  const interval = `${options.intervalSeconds ?? 1}s`;
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval, scrape_timeout: interval },
    rule_files: options.ruleFiles ?? [],
    scrape_configs: Object.entries(options.targets).map(([job, targets]) => ({
      job_name: job,
      static_configs: [{ targets }],
    })),
  };
  // JSON is YAML: no YAML writer needed.
  writeFileSync(path.join(base, 'prometheus.yml'), JSON.stringify(config, null, 2));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = new ServiceProcess({
    name: `prometheus:${port}`,
    command: binary,
    args: [
      `--config.file=${path.join(base, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(base, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    stopSignal: 'SIGTERM',
    cleanupDir: base,
  });
  try {
    await proc.waitUntil(async () => {
      const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      return response.ok;
    }, 60_000);
  } catch (error) {
    await proc.stop('SIGKILL');
    rmSync(base, { recursive: true, force: true });
    throw error;
  }
  const api = async <T>(pathAndQuery: string): Promise<T> => {
    const response = await fetch(`${url}${pathAndQuery}`, { signal: AbortSignal.timeout(10_000) });
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success')
      throw new Error(`Prometheus ${pathAndQuery}: ${body.error ?? response.status}`);
    return body.data;
  };
  return {
    port,
    url,
    async query(promql) {
      const data = await api<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(
        `/api/v1/query?query=${encodeURIComponent(promql)}`,
      );
      return data.result;
    },
    async rules() {
      const data = await api<{
        groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string; query: string }> }>;
      }>('/api/v1/rules');
      return data.groups.flatMap((g) => g.rules);
    },
    async stop() {
      await proc.stop();
      rmSync(base, { recursive: true, force: true });
    },
    output: () => proc.output(),
  };
}
