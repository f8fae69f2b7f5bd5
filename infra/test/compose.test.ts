/**
 * Offline checks of docker/compose.yaml: it parses and uses only keys and values Compose accepts (what
 * `docker compose config` checks; CI's images job also runs that, where the compose plugin exists), its
 * builds point at files that exist, its images are pinned and none is withdrawn, its services run as
 * non-root users, start in order (healthchecks + depends_on conditions), and the api and worker are
 * configured only through variables the code reads, with no secret committed.
 */
import { isPinned, last, parseDockerfile } from './support/dockerfile';
import {
  configSchemaKeys,
  deniedImage,
  exists,
  isAwsSdkVariable,
  read,
  readYaml,
  readmeConfigVariables,
} from './support/repo';

interface Service {
  [key: string]: unknown;
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean; [key: string]: unknown };
  profiles?: string[];
  user?: string;
  ports?: string[];
  volumes?: string[];
  read_only?: boolean;
  tmpfs?: string[];
}
interface Compose {
  [key: string]: unknown;
  name: string;
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

const compose = readYaml<Compose>('docker/compose.yaml');
const services = compose.services;
/** compose resolves build contexts and bind mounts relative to the compose file's directory. */
const fromDockerDir = (p: string): string =>
  p === '..' ? '.' : p.replace(/^\.\.\//, '').replace(/^\.\//, 'docker/');

/** The Compose specification's keys this file may use (a typo is an error for `docker compose config`). */
const TOP_LEVEL_KEYS = ['name', 'services', 'volumes', 'networks', 'configs', 'secrets'];
const SERVICE_KEYS = [
  'image',
  'build',
  'command',
  'entrypoint',
  'environment',
  'env_file',
  'depends_on',
  'healthcheck',
  'profiles',
  'user',
  'ports',
  'volumes',
  'read_only',
  'tmpfs',
  'init',
  'restart',
  'stop_grace_period',
  'working_dir',
  'networks',
  'labels',
  'cap_drop',
  'security_opt',
  'expose',
  'deploy',
  'logging',
];
const HEALTHCHECK_KEYS = [
  'test',
  'interval',
  'timeout',
  'retries',
  'start_period',
  'start_interval',
  'disable',
];
const CONDITIONS = ['service_started', 'service_healthy', 'service_completed_successfully'];
const DURATION = /^(\d+(\.\d+)?(us|ms|s|m|h))+$/;
/** Compose interpolation: ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}; $$ is a literal $. */
const INTERPOLATION = /\$\{[A-Za-z_][A-Za-z0-9_]*(?:(?::?-|:?\?)[^}]*)?\}/g;

/** Every string in a YAML value, with its path. */
function strings(value: unknown, at = ''): [string, string][] {
  if (typeof value === 'string') return [[at, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${at}[${i}]`));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => strings(v, at ? `${at}.${k}` : k));
  return [];
}

/**
 * Third-party services that keep their image's default (root) user, and why. Everything else runs as a
 * non-root user: the project's images by their Dockerfile's USER, postgres, redis and s3 by `user:`.
 */
/** Prometheus and Grafana (README "Operations"), checked by their own test below. */
const OBSERVABILITY = ['grafana', 'prometheus'];

const ROOT_ALLOWED: Record<string, string> = {};

describe('docker/compose.yaml', () => {
  test('parses (YAML with merge keys, no duplicate keys) and has the expected services', () => {
    expect(compose.name).toBe('housing-platform');
    expect(
      Object.keys(services)
        .filter((n) => !OBSERVABILITY.includes(n))
        .sort(),
    ).toEqual(['api', 'dashboard', 'postgres', 'redis', 's3', 's3-init', 'trainer', 'training-worker', 'worker']);
    expect(
      Object.keys(compose.volumes)
        .filter((v) => !OBSERVABILITY.some((o) => v.startsWith(`${o}-`)))
        .sort(),
    ).toEqual(['postgres-data', 'redis-data', 's3-data']);
  });

  test('uses only keys and values Compose accepts (what `docker compose config` validates)', () => {
    const unknownTop = Object.keys(compose).filter((k) => !TOP_LEVEL_KEYS.includes(k) && !k.startsWith('x-'));
    expect(unknownTop).toEqual([]);
    for (const [name, service] of Object.entries(services)) {
      const unknown = Object.keys(service).filter((k) => !SERVICE_KEYS.includes(k));
      expect({ name, unknown }).toEqual({ name, unknown: [] });
      const healthcheck = service.healthcheck ?? {};
      const unknownHealth = Object.keys(healthcheck).filter((k) => !HEALTHCHECK_KEYS.includes(k));
      expect({ name, unknownHealth }).toEqual({ name, unknownHealth: [] });
      for (const key of ['interval', 'timeout', 'start_period'] as const) {
        const value = healthcheck[key];
        if (value !== undefined)
          expect({ name, key, value }).toEqual({ name, key, value: expect.stringMatching(DURATION) });
      }
      if (healthcheck.test) expect(['CMD', 'CMD-SHELL', 'NONE']).toContain(healthcheck.test[0]);
      for (const [on, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect({ name, on, defined: on in services }).toEqual({ name, on, defined: true });
        expect(CONDITIONS).toContain(condition);
      }
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (!source.startsWith('.') && !source.startsWith('/'))
          expect({ name, volume, declared: source in compose.volumes }).toEqual({
            name,
            volume,
            declared: true,
          });
      }
    }
    // every $ is an interpolation Compose understands or an escaped $$
    for (const [at, value] of strings(compose)) {
      const rest = value.replace(/\$\$/g, '').replace(INTERPOLATION, '');
      expect({ at, stray: rest.includes('$') }).toEqual({ at, stray: false });
    }
  });

  test('no image is withdrawn or on an ended release line (DENIED_IMAGES: minio/minio, minio/mc, …)', () => {
    for (const [name, service] of Object.entries(services)) {
      const image = service.image!;
      expect({ name, image, denied: deniedImage(image) }).toEqual({ name, image, denied: undefined });
    }
    expect(deniedImage('minio/minio:RELEASE.2025-04-22T22-12-26Z')).toBeDefined();
    expect(deniedImage('minio/mc:RELEASE.2025-04-16T18-13-26Z')).toBeDefined();
    expect(deniedImage('redis:7.4.2-alpine')).toBeDefined();
    expect(deniedImage('redis:7.4.6-alpine')).toBeUndefined();
    expect(deniedImage('node:20.20.2-bookworm')).toBeDefined();
    expect(deniedImage('motoserver/moto:5.2.5')).toBeDefined();
    expect(deniedImage('prom/prometheus:v3.5.0')).toBeDefined();
    expect(deniedImage('prom/prometheus:v2.53.4')).toBeDefined();
    expect(deniedImage('grafana/grafana:12.1.1')).toBeDefined();
  });

  test('the trainer is a one-off under the `train` profile; every other service starts by default', () => {
    for (const [name, service] of Object.entries(services)) {
      expect({ name, profiles: service.profiles }).toEqual({
        name,
        profiles: name === 'trainer' ? ['train'] : undefined,
      });
    }
    expect(services.trainer!.command!.slice(0, 1)).toEqual(['train']);
  });

  test('every build points at a Dockerfile and context that exist', () => {
    const builds = Object.entries(services).filter(([, s]) => s.build);
    expect(builds.map(([n]) => n).sort()).toEqual(['api', 'dashboard', 's3-init', 'trainer', 'training-worker', 'worker']);
    for (const [name, service] of builds) {
      const context = fromDockerDir(service.build!.context);
      expect({ name, context }).toEqual({ name, context: '.' });
      expect({
        name,
        dockerfile: service.build!.dockerfile,
        exists: exists(service.build!.dockerfile),
      }).toEqual({
        name,
        dockerfile: service.build!.dockerfile,
        exists: true,
      });
    }
    // api, worker and s3-init are one image
    for (const name of ['worker', 's3-init']) {
      expect(services[name]!.build).toEqual(services.api!.build);
      expect(services[name]!.image).toBe(services.api!.image);
    }
    expect(services.api!.build!.dockerfile).toBe('docker/api.Dockerfile');
    expect(services.dashboard!.build!.dockerfile).toBe('docker/dashboard.Dockerfile');
    expect(services.trainer!.build!.dockerfile).toBe('docker/trainer.Dockerfile');
    // the training worker is the trainer image running the backend's training-worker entry point
    expect(services['training-worker']!.build).toEqual(services.trainer!.build);
    expect(services['training-worker']!.image).toBe(services.trainer!.image);
    expect(services['training-worker']!.entrypoint).toEqual(['node', 'backend/dist/training-worker.js']);
    expect(services['training-worker']!.environment).toMatchObject({ DATABASE_URL: services.api!.environment!.DATABASE_URL });
  });

  test('images are pinned: third-party ones to a release tag, the project’s own to the build’s tag (never latest)', () => {
    for (const [name, service] of Object.entries(services)) {
      const image = service.image!;
      expect(image).toBeDefined();
      if (service.build)
        expect({ name, image }).toEqual({
          name,
          image: expect.stringMatching(/^housing-platform\/[a-z]+:\$\{IMAGE_TAG:-local\}$/),
        });
      else expect({ name, image, pinned: isPinned(image) }).toEqual({ name, image, pinned: true });
    }
  });

  test('containers run as non-root users (ROOT_ALLOWED lists any exception and why)', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name in ROOT_ALLOWED) continue;
      if (service.build) {
        // the project's images: the Dockerfile's USER, not overridden here
        expect({ name, user: service.user }).toEqual({ name, user: undefined });
        const dockerfile = parseDockerfile(read(service.build.dockerfile));
        const user = last(dockerfile.stages.at(-1)!, 'USER')?.args;
        expect({ name, user }).toEqual({ name, user: expect.not.stringMatching(/^(root|0)(:.*)?$/) });
      } else {
        expect({ name, user: service.user }).toEqual({
          name,
          user: expect.stringMatching(/^(?!root$|0$)[a-z0-9]+$/),
        });
      }
    }
  });

  test('the api and worker set only variables the code reads (backend/src/config/config.ts) or the AWS SDK reads', () => {
    const schema = configSchemaKeys();
    for (const name of ['api', 'worker']) {
      const variables = Object.keys(services[name]!.environment!);
      const unknown = variables.filter((v) => !schema.includes(v) && !isAwsSdkVariable(v));
      expect({ name, unknown }).toEqual({ name, unknown: [] });
    }
  });

  test('... and each of them is documented in the README configuration table', () => {
    const documented = readmeConfigVariables();
    for (const name of ['api', 'worker']) {
      const undocumented = Object.keys(services[name]!.environment!).filter(
        (v) => !isAwsSdkVariable(v) && !documented.includes(v),
      );
      expect({ name, undocumented }).toEqual({ name, undocumented: [] });
    }
  });

  test('the api and worker use PostgreSQL, Redis and the s3 service’s bucket through the README’s variables', () => {
    for (const name of ['api', 'worker']) {
      const env = services[name]!.environment!;
      expect(env.DATABASE_URL).toMatch(
        /^postgres:\/\/housing:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres:5432\/housing$/,
      );
      expect(env.REDIS_URL).toBe('redis://redis:6379');
      expect(env.ARTIFACT_STORE).toBe('s3://housing-artifacts');
      expect(env.S3_ENDPOINT).toBe('http://s3:5000');
    }
    expect(services.api!.environment!.PORT).toBe('8000');
    // s3-init (the api image, the api's environment) creates the bucket ARTIFACT_STORE names, versioned
    expect(services['s3-init']!.command).toEqual(['node', 'docker/s3-init.js']);
    expect(services['s3-init']!.environment).toEqual(services.worker!.environment);
    expect(services['s3-init']!.depends_on).toEqual({ s3: { condition: 'service_healthy' } });
    const init = read('docker/s3-init.js');
    expect(init).toContain('new URL(process.env.ARTIFACT_STORE).host');
    expect(init).toMatch(/new CreateBucketCommand\(\{ Bucket: bucket \}\)/);
    expect(init).toMatch(/VersioningConfiguration: \{ Status: 'Enabled' \}/);
    expect(init).toContain("'BucketAlreadyOwnedByYou'"); // idempotent: a kept bucket is not an error
  });

  test('s3 is a persistent S3 server (Versity’s gateway, posix backend) on a named volume, not an in-memory mock', () => {
    const s3 = services.s3!;
    expect(s3.image).toMatch(/^versity\/versitygw:v\d+\.\d+\.\d+$/);
    // objects are files under the volume: the posix root and the versions directory are inside it
    expect(s3.volumes).toEqual(['s3-data:/tmp']);
    const start = s3.command!.join('\n');
    expect(start).toMatch(/exec versitygw posix --versioning-dir \/tmp\/s3\/versions \/tmp\/s3\/buckets$/);
    expect(start).toContain('mkdir -p /tmp/s3/buckets /tmp/s3/versions');
    // it listens where S3_ENDPOINT points, and the api and worker sign with its root key pair
    const env = s3.environment!;
    expect(env.VGW_PORT).toBe(':5000');
    expect(services.api!.environment!.S3_ENDPOINT).toBe('http://s3:5000');
    for (const name of ['api', 'worker']) {
      expect(services[name]!.environment!.AWS_ACCESS_KEY_ID).toBe(env.ROOT_ACCESS_KEY_ID);
      expect(services[name]!.environment!.AWS_SECRET_ACCESS_KEY).toBe(env.ROOT_SECRET_ACCESS_KEY);
    }
    expect(env.ROOT_SECRET_ACCESS_KEY).toMatch(/^\$\{S3_SECRET_KEY:\?/);
    // healthy when its health endpoint answers (the image is Alpine: busybox wget)
    expect(env.VGW_HEALTH).toBe('/health');
    expect(s3.healthcheck!.test).toEqual([
      'CMD',
      'wget',
      '-q',
      '-O',
      '/dev/null',
      'http://127.0.0.1:5000/health',
    ]);
  });

  test('no secret is committed: passwords and keys come from docker/.env or the shell, required, without defaults', () => {
    const secretLike = /PASSWORD|SECRET|ADMIN_KEY|TOKEN/;
    // s3 is reachable only on the compose network (it publishes no port); its secret is required too.
    expect(services.s3!.ports).toBeUndefined();
    for (const [name, service] of Object.entries(services)) {
      for (const [variable, value] of Object.entries(service.environment ?? {})) {
        if (!secretLike.test(variable)) continue;
        expect({ name, variable, value }).toEqual({
          name,
          variable,
          value: expect.stringMatching(/^\$\{[A-Z][A-Z0-9_]*:\?[^}]+\}$/),
        });
      }
    }
    expect(services.api!.environment!.BOOTSTRAP_ADMIN_KEY).toMatch(/^\$\{BOOTSTRAP_ADMIN_KEY:\?/);
    // the template lists them empty
    const example = read('docker/.env.example');
    for (const variable of [
      'BOOTSTRAP_ADMIN_KEY',
      'POSTGRES_PASSWORD',
      'S3_SECRET_KEY',
      'GRAFANA_ADMIN_PASSWORD',
    ])
      expect(example).toMatch(new RegExp(`^${variable}=$`, 'm'));
    expect(read('.gitignore')).toMatch(/^\.env$/m);
  });

  test('healthchecks on every long-running service (the worker probes its own /metrics port, not the api’s)', () => {
    for (const name of ['postgres', 'redis', 's3', 'api', 'worker', 'dashboard']) {
      expect({ name, test: (services[name]!.healthcheck?.test ?? []).length > 1 }).toEqual({
        name,
        test: true,
      });
    }
    expect(services.api!.healthcheck!.test).toEqual(['CMD', 'node', 'docker/healthcheck.js']);
    // the worker serves GET /metrics on WORKER_METRICS_PORT (default 9464, backend/src/config/config.ts)
    expect(read('backend/src/config/config.ts')).toMatch(/WORKER_METRICS_PORT: .*default\(9464\)/);
    expect(services.worker!.healthcheck!.test).toEqual([
      'CMD',
      'node',
      'docker/healthcheck.js',
      'http://127.0.0.1:9464/metrics',
    ]);
    expect(read('docker/healthcheck.js')).toMatch(/const url = process\.argv\[2\] \|\|/);
    expect(services.worker!.command).toEqual(['node', 'backend/dist/worker.js']);
    expect(services.api!.command).toBeUndefined(); // the image's CMD: the API
  });

  test('start order follows readiness: depends_on with conditions', () => {
    const data = {
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
      's3-init': { condition: 'service_completed_successfully' },
    };
    expect(services.api!.depends_on).toEqual(data);
    expect(services.worker!.depends_on).toEqual({ ...data, api: { condition: 'service_healthy' } });
    expect(services.dashboard!.depends_on).toEqual({ api: { condition: 'service_healthy' } });
  });

  test('published ports listen on loopback only; api, worker and dashboard run with a read-only root filesystem', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? [])
        expect({ name, port }).toEqual({ name, port: expect.stringMatching(/^127\.0\.0\.1:/) });
    }
    for (const name of ['api', 'worker', 'dashboard']) {
      expect({ name, read_only: services[name]!.read_only, tmpfs: services[name]!.tmpfs }).toEqual({
        name,
        read_only: true,
        tmpfs: ['/tmp'],
      });
    }
  });

  test('bind mounts point at files and folders of the repository', () => {
    const binds = Object.values(services)
      .flatMap((s) => s.volumes ?? [])
      .filter((v) => v.startsWith('.'));
    for (const bind of binds) {
      const source = fromDockerDir(bind.split(':')[0]!);
      if (['data', 'models'].includes(source)) continue; // created by `make up` / the trainer, git-ignored
      expect({ bind, exists: exists(source) }).toEqual({ bind, exists: true });
    }
  });
});

describe('docker/compose.yaml observability', () => {
  test('Prometheus and Grafana are present, pinned, healthchecked, on loopback, configured from docker/', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(OBSERVABILITY));
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(['prometheus-data', 'grafana-data']));
    const prometheus = services.prometheus!;
    expect(prometheus.volumes).toEqual(
      expect.arrayContaining([
        './prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro',
        './prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro',
      ]),
    );
    expect(services.grafana!.depends_on).toEqual({ prometheus: { condition: 'service_healthy' } });
    for (const name of OBSERVABILITY)
      expect({ name, test: (services[name]!.healthcheck?.test ?? []).length > 1 }).toEqual({
        name,
        test: true,
      });
  });

  test('Prometheus scrapes the api, worker and training-worker services on the ports they listen on', () => {
    const config = readYaml<{
      rule_files: string[];
      scrape_configs: Array<{ job_name: string; dns_sd_configs: Array<{ names: string[]; port: number }> }>;
    }>('docker/prometheus/prometheus.yml');
    expect(config.rule_files).toEqual(['/etc/prometheus/alerts.yml']);
    const jobs = Object.fromEntries(
      config.scrape_configs.map((j) => [j.job_name, j.dns_sd_configs[0]!] as const),
    );
    expect(jobs.api).toEqual({ names: ['api'], type: 'A', port: Number(services.api!.environment!.PORT) });
    // the worker's WORKER_METRICS_PORT default (backend/src/config/config.ts)
    expect(read('backend/src/config/config.ts')).toMatch(/WORKER_METRICS_PORT: .*default\(9464\)/);
    expect(jobs.worker).toEqual({ names: ['worker'], type: 'A', port: 9464 });
    // the training worker's TRAINING_WORKER_METRICS_PORT default, which its healthcheck probes too
    expect(read('backend/src/config/config.ts')).toMatch(/TRAINING_WORKER_METRICS_PORT: .*default\(9465\)/);
    expect(jobs['training-worker']).toEqual({ names: ['training-worker'], type: 'A', port: 9465 });
    expect(JSON.stringify(services['training-worker']!.healthcheck?.test)).toContain(
      '127.0.0.1:9465/metrics',
    );
    expect(Object.keys(jobs)).toEqual(['api', 'worker', 'training-worker']);
  });

  test('Grafana provisions the Prometheus data source and every generated dashboard file', () => {
    const grafana = services.grafana!;
    expect(grafana.volumes).toEqual(
      expect.arrayContaining([
        './grafana/provisioning:/etc/grafana/provisioning:ro',
        './grafana/dashboards:/var/lib/grafana/dashboards:ro',
      ]),
    );
    const datasources = readYaml<{ datasources: Array<{ uid: string; url: string }> }>(
      'docker/grafana/provisioning/datasources/prometheus.yml',
    );
    expect(datasources.datasources[0]).toMatchObject({
      uid: 'housing-prometheus',
      url: 'http://prometheus:9090',
    });
    const providers = readYaml<{ providers: Array<{ options: { path: string } }> }>(
      'docker/grafana/provisioning/dashboards/housing.yml',
    );
    expect(providers.providers[0]!.options.path).toBe('/var/lib/grafana/dashboards');
    for (const file of ['service-health.json', 'model-serving.json', 'batch.json'])
      expect({ file, exists: exists(`docker/grafana/dashboards/${file}`) }).toEqual({ file, exists: true });
  });
});
