/**
 * .github/workflows/ci.yml: valid YAML that runs the project's own test command on the machine the
 * project targets, builds the three images without pushing them, and synthesises the CDK app.
 */
import { exists, read, readYaml } from './support/repo';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  if?: string;
  'working-directory'?: string;
}
interface Job {
  'runs-on': string;
  container?: string;
  needs?: string | string[];
  outputs?: Record<string, string>;
  strategy?: { matrix: Record<string, string[]> };
  steps: Step[];
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflow = readYaml<Workflow>('.github/workflows/ci.yml');
const steps = (job: string): Step[] => workflow.jobs[job]!.steps;
const runs = (job: string): string =>
  steps(job)
    .map((s) => s.run ?? '')
    .join('\n');
/** The Node release of the images (docker/api.Dockerfile's runtime stage). */
const nodeVersion = /FROM node:(\d+\.\d+\.\d+)-trixie-slim AS runtime/.exec(
  read('docker/api.Dockerfile'),
)![1]!;

/**
 * The oldest major of each action that runs on GitHub's Node 24 action runtime (the Node 20 one was
 * removed from the runners); docker-based actions (hadolint) are not affected.
 */
const CURRENT_MAJORS: Record<string, number> = {
  'actions/checkout': 5,
  'actions/setup-node': 5,
  'actions/cache': 5,
  'actions/upload-artifact': 6,
  'astral-sh/setup-uv': 7,
  'docker/setup-buildx-action': 4,
  'docker/build-push-action': 7,
};

describe('.github/workflows/ci.yml', () => {
  test('parses, runs on pushes to main and on pull requests, with read-only permissions', () => {
    expect(workflow.name).toBe('ci');
    expect(Object.keys(workflow.on)).toEqual(expect.arrayContaining(['push', 'pull_request']));
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(Object.keys(workflow.jobs).sort()).toEqual(['images', 'synth', 'test', 'version']);
  });

  test('every action is pinned to a release (a version tag or a commit), never a branch', () => {
    const uses = Object.values(workflow.jobs).flatMap((j) =>
      j.steps.map((s) => s.uses).filter((u): u is string => !!u),
    );
    expect(uses.length).toBeGreaterThan(5);
    for (const u of uses)
      expect(u).toMatch(/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/);
  });

  test('every JavaScript action is on a major that runs on the Node 24 action runtime', () => {
    const uses = Object.values(workflow.jobs).flatMap((j) =>
      j.steps.map((s) => s.uses).filter((u): u is string => !!u),
    );
    for (const u of uses) {
      const [action, ref] = u.split('@') as [string, string];
      if (action === 'hadolint/hadolint-action') continue; // a Docker container action
      const minimum = CURRENT_MAJORS[action];
      expect({ action, known: minimum !== undefined }).toEqual({ action, known: true });
      expect({ action, major: Number(/^v(\d+)/.exec(ref)?.[1]) >= minimum! }).toEqual({
        action,
        major: true,
      });
    }
  });

  test('test: `make test` on Debian trixie with the images’ Node (.node-version) and the Debian packages install-deps.sh installs', () => {
    const job = workflow.jobs.test!;
    expect(job['runs-on']).toMatch(/^ubuntu-/);
    expect(nodeVersion).toBe(read('.node-version').trim());
    // trixie's python3 is 3.13, the trainer's requires-python; the release is read from .node-version by
    // the `version` job, not named here
    expect(job.needs).toBe('version');
    expect(job.container).toBe('node:${{ needs.version.outputs.node }}-trixie');
    const version = workflow.jobs.version!;
    expect(version.outputs).toEqual({ node: '${{ steps.read.outputs.node }}' });
    expect(runs('version')).toContain('< .node-version');
    expect(runs('version')).toContain('echo "node=$node" >> "$GITHUB_OUTPUT"');
    expect(read('.node-version').trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(read('ml/trainer/pyproject.toml')).toContain('requires-python = ">=3.13,<3.14"');
    expect(steps('test').some((s) => s.run?.trim() === 'make test')).toBe(true);
    // results and the dashboard screenshots are kept even when a test failed
    const uploads = steps('test').filter((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(uploads.map((s) => [s.with!.path, s.if])).toEqual([
      ['test-results/', 'always()'],
      ['test-artifacts/', 'always()'],
    ]);
    // the Ames data set the ml e2e tests read is in the repository (CI has no ../shared)
    expect(exists('data/ames/AmesHousing.csv')).toBe(true);
    const script = read('scripts/install-deps.sh');
    const packages = [
      ...script.matchAll(/^need \S+ (\S+)$/gm),
      ...script.matchAll(/apt_packages\+=\(([a-z0-9.-]+)\)/g),
    ].map((m) => m[1]!);
    expect(packages.sort()).toEqual(['chromium', 'postgresql', 'prometheus', 'redis-server']);
    const install = runs('test');
    for (const p of packages) expect(install).toMatch(new RegExp(`apt-get install[\\s\\S]*\\b${p}\\b`));
    // uv as the project pins it locally (python3 -m pip install uv is blocked on Debian's system Python)
    expect(steps('test').find((s) => s.uses?.startsWith('astral-sh/setup-uv@'))?.with?.version).toMatch(
      /^\d+\.\d+\.\d+$/,
    );
  });

  test('images: the three Dockerfiles built with docker/build-push-action, not pushed', () => {
    const job = workflow.jobs.images!;
    expect(job.strategy!.matrix.image).toEqual(['api', 'dashboard', 'trainer']);
    const build = steps('images').find((s) => s.uses?.startsWith('docker/build-push-action@'))!;
    expect(build.with).toMatchObject({
      context: '.',
      file: 'docker/${{ matrix.image }}.Dockerfile',
      push: false,
    });
    for (const image of job.strategy!.matrix.image!) expect(exists(`docker/${image}.Dockerfile`)).toBe(true);
    // each image is started once: the api with compose's services, the trainer on generated data, the dashboard alone
    const smoke = steps('images').filter((s) => s.if?.startsWith('matrix.image =='));
    expect(smoke.map((s) => s.if).sort()).toEqual([
      "matrix.image == 'api'",
      "matrix.image == 'dashboard'",
      "matrix.image == 'trainer'",
    ]);
    expect(runs('images')).toContain('docker compose -f docker/compose.yaml config --quiet');
    expect(runs('images')).toMatch(
      /docker compose -f docker\/compose\.yaml up -d --no-build --wait .* api worker prometheus grafana\n/,
    );
    // Prometheus has both targets up and its rules; Grafana serves every generated dashboard
    expect(runs('images')).toContain('http://127.0.0.1:9090/api/v1/targets');
    expect(runs('images')).toContain('sort == ["api", "worker"]');
    expect(runs('images')).toContain('http://127.0.0.1:9090/api/v1/rules');
    expect(runs('images')).toContain('for file in docker/grafana/dashboards/*.json; do');
    expect(runs('images')).toContain('http://127.0.0.1:3000/api/dashboards/uid/$uid');
    expect(runs('images')).toContain('api/datasources/uid/housing-prometheus/health');
    // the smoke test's docker/.env names every secret docker/.env.example asks for
    const secrets = [...read('docker/.env.example').matchAll(/^([A-Z][A-Z0-9_]*)=$/gm)].map((m) => m[1]!);
    expect(runs('images')).toContain(`for v in ${secrets.join(' ')}; do`);
  });

  test('synth: `npx cdk synth` in infra after building it, on the Node release .node-version names', () => {
    const synth = steps('synth').find((s) => /\bnpx cdk synth\b/.test(s.run ?? ''))!;
    expect(synth['working-directory']).toBe('infra');
    const setupNode = steps('synth').find((s) => s.uses?.startsWith('actions/setup-node@'))!;
    expect(setupNode.with!['node-version-file']).toBe('.node-version');
    expect(setupNode.with!['node-version']).toBeUndefined();
    expect(runs('synth')).toMatch(/npm install\b/);
    expect(runs('synth')).toContain('npx nx run @housing/infra:build');
    // cdk.json runs the compiled app (TypeScript 7 has no compiler API for ts-node)
    expect(JSON.parse(read('infra/cdk.json')).app).toBe('node dist/bin/app.js');
  });
});
