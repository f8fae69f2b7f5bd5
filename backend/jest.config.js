const fs = require('node:fs');
const path = require('node:path');
const preset = require('../jest.preset.js');

const TIMEOUT = 120000;

/**
 * NestJS 12 (and a few packages under fastify) ship ES modules only. Node 24 require()s them, but Jest
 * loads modules itself: its require(esm) needs vm.SyntheticModule, which Node 24 still has only behind
 * --experimental-vm-modules (checked on 24.22: without the flag Jest refuses, with it every suite passes).
 * Rather than an experimental flag on every `npx jest`, SWC compiles exactly those packages to CommonJS
 * for the tests. The list is read from the installed packages (`"type": "module"` without a `require`
 * export).
 */
function esmOnlyPackages() {
  const names = new Set(['@nestjs']);
  for (const dir of [path.join(__dirname, '..', 'node_modules'), path.join(__dirname, 'node_modules')]) {
    if (!fs.existsSync(dir)) continue;
    for (const entry of fs.readdirSync(dir)) {
      const packages = entry.startsWith('@')
        ? fs.readdirSync(path.join(dir, entry)).map((n) => `${entry}/${n}`)
        : [entry];
      for (const name of packages) {
        try {
          const pkg = JSON.parse(fs.readFileSync(path.join(dir, name, 'package.json'), 'utf8'));
          // Dual packages resolve to their CommonJS build under Jest's `require` condition: leave them alone.
          const hasRequireBuild =
            JSON.stringify(pkg.exports ?? {}).includes('"require"') || /\.cjs$/.test(pkg.main ?? '');
          if (pkg.type === 'module' && !hasRequireBuild) names.add(name);
        } catch {
          // not a package
        }
      }
    }
  }
  return [...names].map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

// `npm test` writes --json --outputFile=../test-results/…; Jest does not create the directory itself.
const outputFile = process.argv.find((a) => a.startsWith('--outputFile='));
if (outputFile)
  fs.mkdirSync(path.dirname(path.resolve(outputFile.slice('--outputFile='.length))), { recursive: true });

const esmTransform = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } },
];

/** Settings every project shares: the SWC preset, the ml mapping and the timeout. */
const common = {
  ...preset,
  rootDir: __dirname,
  // Tests run against the ml sources, so a change there needs no rebuild to be tested here.
  moduleNameMapper: { '^@housing/ml$': '<rootDir>/../ml/src/index.ts' },
  testTimeout: TIMEOUT,
  transform: { ...preset.transform, '^.+\\.js$': esmTransform },
  transformIgnorePatterns: [`/node_modules/(?!(?:${esmOnlyPackages().join('|')})/)`],
  setupFiles: [],
};

/** End-to-end tests run under two profiles: the same files, different infrastructure. */
const e2e = {
  ...common,
  roots: ['<rootDir>/test'],
  testMatch: ['<rootDir>/test/**/*.e2e.test.ts'],
  testPathIgnorePatterns: [...preset.testPathIgnorePatterns, '/test/pytools/'],
  // Keeps Jest's file crawler out of the Python venv.
  modulePathIgnorePatterns: ['<rootDir>/test/pytools/'],
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: TIMEOUT,
  // One test file at a time: the e2e profiles share one Postgres/Redis/S3 set (services) and the
  // machine's two cores. Jest has no per-project worker count, so this applies to `unit` too.
  maxWorkers: 1,
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots: ['<rootDir>/src'],
      testMatch: ['<rootDir>/src/**/*.test.ts'],
    },
    {
      ...e2e,
      displayName: 'e2e-embedded',
      // SQLite file + local artifact directory in a temp dir per test app (test/support/test-app.ts).
      setupFiles: [...common.setupFiles, '<rootDir>/test/support/profile.embedded.ts'],
    },
    {
      ...e2e,
      displayName: 'e2e-services',
      // Postgres, Redis and moto (S3) started once for the run; URLs reach the tests as TEST_* variables.
      setupFiles: [...common.setupFiles, '<rootDir>/test/support/profile.services.ts'],
      globalSetup: '<rootDir>/test/services/global-setup.ts',
      globalTeardown: '<rootDir>/test/services/global-teardown.ts',
    },
  ],
};
