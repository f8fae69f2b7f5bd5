/**
 * Offline checks of docker/ (no Docker engine here): the three Dockerfiles, .dockerignore and the nginx
 * configuration. What a build would find out late — a COPY source that is missing or ignored, an
 * unpinned base image, a root user, build steps that drifted from the project's own — is found here.
 */
import { API_PATH_PATTERNS } from '../lib/constants';
import {
  all,
  copySources,
  dockerignore,
  isPinned,
  last,
  parseDockerfile,
  type Dockerfile,
  type Stage,
} from './support/dockerfile';
import { deniedImage, exists, read, workspaces } from './support/repo';

const DOCKERFILES = {
  api: 'docker/api.Dockerfile',
  dashboard: 'docker/dashboard.Dockerfile',
  trainer: 'docker/trainer.Dockerfile',
} as const;
type ImageName = keyof typeof DOCKERFILES;

const parsed = Object.fromEntries(
  Object.entries(DOCKERFILES).map(([name, file]) => [name, parseDockerfile(read(file))]),
) as Record<ImageName, Dockerfile>;
const ignored = dockerignore(read('.dockerignore'));
const runtime = (name: ImageName): Stage => parsed[name].stages.at(-1)!;
const stageNamed = (df: Dockerfile, name: string): Stage | undefined =>
  df.stages.find((s) => s.name === name);
const runs = (stage: Stage): string[] => all(stage, 'RUN').map((i) => i.args);

/** The version Node images and CI use: the runtime the project runs on (engines, this machine). */
const NODE_VERSION = /^node:(\d+\.\d+\.\d+)-/.exec(runtime('api').from)![1]!;
/**
 * The Debian release of the Node images: trixie (13, the current stable). bookworm left Debian's
 * security support in 2026 (LTS only); an image on it is a step behind.
 */
const NODE_DEBIAN = 'trixie';

describe('runtimes', () => {
  test('the images run the Node release .node-version names, an LTS line in support (24 or later)', () => {
    expect(NODE_VERSION).toBe(read('.node-version').trim());
    // Node 20 reached its end of life on 2026-04-30; 22 is in maintenance until 2027-04-30.
    expect(Number(NODE_VERSION.split('.')[0])).toBeGreaterThanOrEqual(24);
    // the root engines field admits it
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    expect(engines).toMatch(/^>=24\.\d+$/);
  });

  test('no base image is a withdrawn or ended line (DENIED_IMAGES)', () => {
    for (const [name, df] of Object.entries(parsed)) {
      const images = df.stages
        .map((s) => s.from)
        .concat(df.stages.flatMap((s) => all(s, 'COPY').map((i) => i.flags.from ?? '')))
        .filter((i) => i.includes(':'));
      for (const image of images)
        expect({ name, image, denied: deniedImage(image) }).toEqual({ name, image, denied: undefined });
    }
  });
});

/** Build outputs a stage may hand to the next (nx.json: build outputs are {projectRoot}/dist). */
function isBuildOutput(relative: string): boolean {
  const nx = JSON.parse(read('nx.json')) as { targetDefaults: { build: { outputs: string[] } } };
  if (!nx.targetDefaults.build.outputs.includes('{projectRoot}/dist')) return false;
  const m = /^([^/]+)\/dist$/.exec(relative);
  return !!m && workspaces().some((w) => w.dir === m[1] && 'build' in w.scripts);
}

describe.each(Object.keys(DOCKERFILES) as ImageName[])('%s image', (name) => {
  const df = parsed[name];
  const final = runtime(name);

  test('pins the Dockerfile frontend and every base image (an exact version tag, no latest)', () => {
    expect(df.directives.syntax).toMatch(/^docker\/dockerfile:\d+\.\d+$/);
    const images = [
      ...df.stages.map((s) => s.from).filter((from) => !df.stages.some((s) => s.name === from)),
      ...df.stages
        .flatMap((s) => all(s, 'COPY').map((i) => i.flags.from))
        .filter((f): f is string => !!f && !stageNamed(df, f)),
    ];
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect({ image, pinned: isPinned(image) }).toEqual({ image, pinned: true });
  });

  test('every Node image is the same Node release', () => {
    const nodeImages = df.stages
      .map((s) => s.from)
      .concat(df.stages.flatMap((s) => all(s, 'COPY').map((i) => i.flags.from ?? '')));
    for (const image of nodeImages.filter((i) => i.startsWith('node:')))
      expect(image).toMatch(
        new RegExp(`^node:${NODE_VERSION.replace(/\./g, '\\.')}-${NODE_DEBIAN}(-slim)?$`),
      );
  });

  test('runs as a non-root user, given by number (so a runtime can verify it is not root)', () => {
    const user = last(final, 'USER')?.args;
    expect(user).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
    // no stage after the last USER switches back
    const afterUser = final.instructions.slice(final.instructions.indexOf(last(final, 'USER')!) + 1);
    expect(afterUser.filter((i) => i.keyword === 'USER')).toEqual([]);
  });

  test('every COPY/ADD source from the build context exists and is not excluded by .dockerignore', () => {
    for (const stage of df.stages) {
      for (const instruction of [...all(stage, 'COPY'), ...all(stage, 'ADD')]) {
        if (instruction.flags.from) continue;
        for (const source of copySources(instruction)) {
          if (/^https:\/\//.test(source)) continue; // remote ADD: checked below
          expect({ source, line: instruction.line, exists: exists(source) }).toEqual({
            source,
            line: instruction.line,
            exists: true,
          });
          if (source !== '.')
            expect({ source, ignored: ignored(source) }).toEqual({ source, ignored: false });
        }
      }
    }
  });

  test('every COPY --from=<stage> source is a build output, a repository path or the stage tree itself', () => {
    for (const stage of df.stages) {
      for (const instruction of all(stage, 'COPY')) {
        const from = instruction.flags.from;
        const source = from && stageNamed(df, from);
        if (!source) continue;
        const workdir = last(source, 'WORKDIR')?.args ?? '/';
        for (const path of copySources(instruction)) {
          const relative = path.startsWith(`${workdir}/`)
            ? path.slice(workdir.length + 1).replace(/\/$/, '')
            : undefined;
          const ok =
            path === workdir ||
            (relative !== undefined && (isBuildOutput(relative) || exists(relative))) ||
            runs(source).some((run) => run.includes(path.replace(/\/$/, '')));
          expect({ from, path, ok }).toEqual({ from, path, ok: true });
        }
      }
    }
  });

  test('remote sources are fetched over HTTPS only', () => {
    for (const stage of df.stages) {
      for (const source of all(stage, 'ADD').flatMap(copySources))
        expect(source).toMatch(/^https:\/\/|^[^:]+$/);
    }
  });

  test('npm install runs on the committed lockfile, with the install-time variables scripts/install-deps.sh sets', () => {
    // onnxruntime-node reads ONNXRUNTIME_NODE_INSTALL (its .npmrc key stops working in npm 12); @scarf/scarf
    // (swagger-ui-dist) reads SCARF_ANALYTICS.
    const installVariables = ['ONNXRUNTIME_NODE_INSTALL=skip', 'SCARF_ANALYTICS=false'];
    for (const variable of installVariables)
      expect(read('scripts/install-deps.sh')).toContain(`export ${variable}`);
    const manifests = stageNamed(df, 'manifests');
    expect(manifests).toBeDefined();
    expect(runs(manifests!).join('\n')).toMatch(/cp package\.json package-lock\.json \.npmrc /);
    // every workspace manifest goes in, so `npm install` sees the whole lockfile's workspaces
    expect(runs(manifests!).join('\n')).toContain('*/package.json');
    for (const stage of df.stages) {
      for (const run of runs(stage).filter((r) => /\bnpm (ci|install)\b/.test(r))) {
        // `npm install` (see scripts/install-deps.sh): the lock lacks other platforms' optional binaries
        expect(run).toMatch(/\bnpm install\b/);
        const copiedManifests = all(stage, 'COPY').some((i) => i.flags.from === 'manifests');
        expect(copiedManifests).toBe(true);
        const env = all(stage, 'ENV')
          .map((i) => i.args)
          .join(' ');
        for (const variable of installVariables)
          expect({ stage: stage.name, variable, set: env.split(/\s+/).includes(variable) }).toEqual({
            stage: stage.name,
            variable,
            set: true,
          });
      }
    }
  });
});

describe('the images build with the project’s own commands', () => {
  const projectInstall = read('scripts/install-deps.sh');
  const projectMake = read('Makefile');

  test('the project installs with `npm install` and `uv sync --frozen` and builds with `nx run-many -t build`', () => {
    expect(projectInstall).toMatch(/\bnpm install\b/);
    expect(projectInstall).toMatch(/\buv sync --frozen\b/);
    expect(projectMake).toMatch(/\bnx\)? run-many -t build\b|\$\(NX\) run-many -t build\b/);
  });

  test.each([
    ['api', ['@housing/ml', '@housing/backend']],
    ['dashboard', ['@housing/dashboard']],
    // the trainer image also carries the backend: the training worker runs on it
    ['trainer', ['@housing/ml', '@housing/backend']],
  ] as const)(
    '%s: npm install then `npx nx run-many -t build` for %j, in its build stage',
    (name, projects) => {
      const build = stageNamed(parsed[name], 'build')!;
      const commands = runs(build);
      expect(commands.some((c) => /\bnpm install\b/.test(c))).toBe(true);
      const nx = commands.find((c) => /\bnpx nx run-many -t build\b/.test(c));
      expect(nx).toBeDefined();
      const named = /--projects=(\S+)/.exec(nx!)?.[1]?.split(',') ?? [];
      expect(named).toEqual([...projects]);
      // each is a workspace package of the root package.json
      const names = workspaces().map((w) => w.name);
      for (const project of named) expect(names).toContain(project);
    },
  );

  test('api: the production dependencies of backend and ml only, installed apart from the build', () => {
    const prod = stageNamed(parsed.api, 'prod')!;
    expect(runs(prod).join('\n')).toMatch(/npm install --omit=dev --workspace backend --workspace ml\b/);
    expect(runtime('api').from).toBe(`node:${NODE_VERSION}-${NODE_DEBIAN}-slim`);
    const copies = all(runtime('api'), 'COPY').map(
      (i) => `${i.flags.from ?? 'context'}:${copySources(i).join(',')}`,
    );
    expect(copies).toEqual(['prod:/app', 'context:docker/healthcheck.js,docker/s3-init.js']);
  });

  test('trainer: the trainer’s locked environment (`uv sync --frozen`) in the runtime image, Python as the project requires', () => {
    const commands = runs(runtime('trainer'));
    expect(commands.filter((c) => /\buv sync --frozen\b/.test(c)).length).toBeGreaterThanOrEqual(1);
    const requires = /requires-python\s*=\s*">=(\d+\.\d+),<(\d+\.\d+)"/.exec(
      read('ml/trainer/pyproject.toml'),
    );
    expect(requires).not.toBeNull();
    expect(runtime('trainer').from).toMatch(
      new RegExp(`^python:${requires![1]!.replace('.', '\\.')}\\.\\d+-slim-${NODE_DEBIAN}$`),
    );
    // 3.12 or later: 3.11 held numpy, scipy and xgboost-cpu behind
    expect(Number(requires![1]!.split('.')[1])).toBeGreaterThanOrEqual(12);
    expect(read('backend/test/pytools/pyproject.toml')).toContain(
      `requires-python = ">=${requires![1]},<${requires![2]}"`,
    );
    // Node from the same release as the other images, and uv pinned
    const froms = all(runtime('trainer'), 'COPY')
      .map((i) => i.flags.from)
      .filter(Boolean);
    expect(froms).toContain(`node:${NODE_VERSION}-${NODE_DEBIAN}-slim`);
    expect(froms.some((f) => /^ghcr\.io\/astral-sh\/uv:\d+\.\d+\.\d+$/.test(f!))).toBe(true);
    expect(last(runtime('trainer'), 'ENTRYPOINT')!.words).toEqual(['node', 'ml/dist/cli/main.js']);
    // the training worker's entry point is built into it (compose `training-worker`, the ECS training service)
    expect(runs(stageNamed(parsed.trainer, 'prod')!).join('\n')).toMatch(/npm install --omit=dev --workspace backend --workspace ml\b/);
    expect(all(stageNamed(parsed.trainer, 'prod')!, 'COPY').flatMap((i) => copySources(i))).toContain('/app/backend/dist');
    expect(exists('backend/src/training-worker.ts')).toBe(true);
    expect(last(runtime('trainer'), 'CMD')!.words[0]).toBe('train');
    expect(exists('ml/src/cli/main.ts')).toBe(true);
  });
});

describe('api image', () => {
  const final = runtime('api');

  test('default command is the API; the worker entry point exists for the second command', () => {
    expect(last(final, 'CMD')!.words).toEqual(['node', 'backend/dist/main.js']);
    expect(exists('backend/src/main.ts')).toBe(true);
    expect(exists('backend/src/worker.ts')).toBe(true);
    expect(last(final, 'ENTRYPOINT')).toBeUndefined();
  });

  test('exposes 8000 and checks its health on GET /health/live', () => {
    expect(last(final, 'EXPOSE')!.args).toBe('8000');
    const healthcheck = last(final, 'HEALTHCHECK')!;
    expect(healthcheck.words).toEqual(['CMD', 'node', 'docker/healthcheck.js']);
    const probe = read('docker/healthcheck.js');
    expect(probe).toContain('/health/live');
    expect(probe).toMatch(/process\.env\.PORT \|\| '8000'/);
    expect(read('backend/src/health/health.controller.ts')).toMatch(/@Get\('live'\)/);
  });

  test('trusts the Amazon RDS certificate authorities, so DATABASE_URL can verify the server (sslmode=verify-full)', () => {
    const env = all(final, 'ENV')
      .map((i) => i.args)
      .join(' ');
    expect(env).toMatch(/NODE_EXTRA_CA_CERTS=\/etc\/ssl\/certs\/rds-global-bundle\.pem/);
    const add = all(final, 'ADD').map((i) => i.words);
    expect(add).toContainEqual([
      'https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem',
      '/etc/ssl/certs/rds-global-bundle.pem',
    ]);
  });
});

describe('dashboard image', () => {
  const final = runtime('dashboard');

  test('nginx (unprivileged) serves the Vite build with docker/nginx.conf on 8080', () => {
    // nginx's stable line (even minor): 1.30 since April 2026 (1.27 and 1.28 have ended)
    expect(final.from).toMatch(/^nginxinc\/nginx-unprivileged:1\.30\.\d+-alpine$/);
    const copies = all(final, 'COPY').map((i) => [i.flags.from ?? 'context', ...i.words]);
    expect(copies).toContainEqual(['context', 'docker/nginx.conf', '/etc/nginx/conf.d/default.conf']);
    expect(copies).toContainEqual(['build', '/app/dashboard/dist', '/usr/share/nginx/html']);
    expect(last(final, 'EXPOSE')!.args).toBe('8080');
    expect(last(final, 'HEALTHCHECK')!.args).toContain('http://127.0.0.1:8080/healthz');
    // vite writes to dashboard/dist (the path copied above)
    expect(read('dashboard/vite.config.ts')).toMatch(/outDir: 'dist'/);
  });
});

describe('nginx configuration (docker/nginx.conf)', () => {
  const conf = read('docker/nginx.conf');

  test('listens on the unprivileged port and answers the health probe', () => {
    expect(conf).toMatch(/^\s*listen\s+8080;/m);
    expect(conf).toMatch(/location = \/healthz \{[^}]*return 200/);
  });

  test('falls back to index.html for client-side routes, but never for a missing asset', () => {
    expect(conf).toMatch(/location \/ \{\s*try_files \$uri \$uri\/ \/index\.html;\s*\}/);
    expect(conf).toMatch(/location \/assets\/ \{\s*try_files \$uri =404;\s*\}/);
  });

  test('caches hashed assets for a year (only when found) and revalidates everything else, index.html included', () => {
    expect(conf).toMatch(/"~\^\(200\|304\):\/assets\/"\s+"public, max-age=31536000, immutable";/);
    expect(conf).toMatch(/default\s+"no-cache";/);
    expect(conf).toMatch(/add_header Cache-Control \$housing_cache_control always;/);
    // headers set at server level only: a location-level add_header would drop them there
    const locations = conf
      .split(/\n\s*location /)
      .slice(1)
      .join('\n');
    expect(locations).not.toMatch(/add_header/);
  });

  test('sends the build’s precompressed .gz twins (gzip_static), compressing on the fly only without one', () => {
    expect(conf).toMatch(/^\s*gzip_static on;/m);
    expect(conf).toMatch(/^\s*gzip_vary on;/m);
    // The twins exist: the dashboard build writes a .gz of every compressible file at level 9.
    expect(read('dashboard/vite.config.ts')).toMatch(
      /writeFileSync\(`\$\{file\}\.gz`, gzipSync\(body, \{ level: 9 \}\)\)/,
    );
    // nginx's official image has no brotli module: a brotli_static line would stop nginx from starting.
    expect(conf).not.toMatch(/^\s*brotli/m);
    expect(read('docker/dashboard.Dockerfile')).toMatch(/^FROM nginxinc\/nginx-unprivileged:[\d.]+-alpine/m);
  });

  test('the local API proxy sends exactly the load balancer’s API paths to the api container', () => {
    const local = read('docker/nginx.local-api.conf');
    const locations = [...local.matchAll(/^location (= )?(\S+) \{/gm)].map((m) => (m[1] ? `=${m[2]}` : m[2]));
    // ALB path patterns -> nginx: '/x/*' is the prefix '/x/', '/x*' the prefix '/x', '/x' an exact match
    const expected = API_PATH_PATTERNS.map((p) =>
      p.endsWith('/*') ? p.slice(0, -1) : p.endsWith('*') ? p.slice(0, -1) : `=${p}`,
    );
    expect(locations).toEqual(expected);
    expect([...local.matchAll(/proxy_pass (\S+);/g)].map((m) => m[1])).toEqual(
      expected.map(() => 'http://api:8000'),
    );
    expect(conf).toContain('include /etc/nginx/extra/*.conf;');
  });
});

describe('.dockerignore', () => {
  test('keeps dependencies, build output, local state, VCS and secrets out of the build context', () => {
    for (const path of [
      'node_modules',
      'ml/node_modules',
      'dashboard/node_modules/vite',
      'ml/dist',
      'backend/dist/main.js',
      'ml/trainer/.venv',
      '.git',
      '.data',
      '.tools/node/bin/node',
      'test-artifacts',
      'data/raw/HouseTS.csv',
      'models/housets-demo',
      'test-results',
      'infra/cdk.out',
      '.env',
      'docker/.env',
    ]) {
      expect({ path, ignored: ignored(path) }).toEqual({ path, ignored: true });
    }
  });

  test('keeps what the builds need: manifests, lockfiles, sources, configs', () => {
    for (const path of [
      'package.json',
      'package-lock.json',
      '.npmrc',
      'nx.json',
      'tsconfig.base.json',
      '.prettierrc.json',
      'ml/src/index.ts',
      'ml/specs/housets.json',
      'ml/trainer/uv.lock',
      'ml/trainer/src',
      'backend/src/main.ts',
      'backend/openapi.json',
      'dashboard/src',
      'docker/nginx.conf',
      'docker/healthcheck.js',
      'docker/s3-init.js',
      ...workspaces().map((w) => `${w.dir}/package.json`),
    ]) {
      expect({ path, ignored: ignored(path) }).toEqual({ path, ignored: false });
    }
  });
});
