import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from './main';

/**
 * The `ml dataset` commands' own logic (argument handling, checksum check, no partial file), against a
 * small local HTTP server; the real API is exercised by backend/test/datasets.e2e.test.ts.
 */
const BODY = 'a,b\n1,2\n';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const ID = '6f1c2a3b-1111-4222-8333-444455556666';

let server: Server;
let url: string;
let dir: string;
let advertised = sha(BODY);
const seen: Array<{ method?: string; url?: string; key?: string; type?: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({
      method: req.method,
      url: req.url,
      key: req.headers['x-api-key'] as string,
      type: req.headers['content-type'],
    });
    if (req.method === 'POST') {
      req.resume();
      req.on('end', () =>
        res
          .writeHead(201, { 'content-type': 'application/json' })
          .end(JSON.stringify({ id: ID, sha256: sha(BODY), rows: 1 })),
      );
      return;
    }
    if (req.url === `/v1/datasets/${ID}`)
      return void res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ id: ID, sha256: advertised, rows: 1 }));
    if (req.url === `/v1/datasets/${ID}/content`) return void res.writeHead(200).end(BODY);
    res
      .writeHead(404, { 'content-type': 'application/problem+json' })
      .end(JSON.stringify({ detail: 'no dataset' }));
  });
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = mkdtempSync(path.join(os.tmpdir(), 'ml-dataset-cli-'));
});

afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  seen.length = 0;
  advertised = sha(BODY);
  delete process.env.HOUSING_API_KEY;
});

it('push streams the file as multipart with the key header', async () => {
  const file = path.join(dir, 'in.csv');
  writeFileSync(file, BODY);
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    expect(await main(['dataset', 'push', '--data', file, '--server', url, '--key', 'k1'])).toBe(0);
  } finally {
    write.mockRestore();
    err.mockRestore();
  }
  expect(seen).toEqual([
    {
      method: 'POST',
      url: '/v1/datasets',
      key: 'k1',
      type: expect.stringMatching(/^multipart\/form-data; boundary=/),
    },
  ]);
});

it('pull writes the file only when its sha256 matches, the key from HOUSING_API_KEY', async () => {
  process.env.HOUSING_API_KEY = 'k2';
  const out = path.join(dir, 'pulled.csv');
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    expect(await main(['dataset', 'pull', '--id', ID, '--out', out, '--server', url])).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(BODY);
    expect(seen.map((s) => s.key)).toEqual(['k2', 'k2']);
    rmSync(out);
    advertised = '0'.repeat(64);
    await expect(main(['dataset', 'pull', '--id', ID, '--out', out, '--server', url])).rejects.toThrow(
      /differs/,
    );
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  } finally {
    err.mockRestore();
  }
});

it.each([
  [
    ['dataset', 'pull', '--id', ID, '--out', 'x', '--server', 'http://127.0.0.1:1'],
    /--key \(or \$HOUSING_API_KEY\) is required/,
  ],
  [
    ['dataset', 'pull', '--id', 'nope', '--out', 'x', '--server', 'http://h', '--key', 'k'],
    /--id must be a dataset id/,
  ],
  [
    ['dataset', 'push', '--data', 'x.csv', '--server', 'ftp://h', '--key', 'k'],
    /no such file|--server must be/,
  ],
  [
    ['dataset', 'pull', '--id', ID, '--out', 'x', '--server', 'not a url', '--key', 'k'],
    /--server must be a URL/,
  ],
  [['dataset', 'frob'], /usage: ml dataset push\|pull/],
])('%j is refused with a clear message', async (argv, message) => {
  await expect(main(argv as string[])).rejects.toThrow(message);
});

it('a 404 from the server is reported with its detail', async () => {
  await expect(
    main([
      'dataset',
      'pull',
      '--id',
      '00000000-0000-4000-8000-000000000000',
      '--out',
      path.join(dir, 'y'),
      '--server',
      url,
      '--key',
      'k',
    ]),
  ).rejects.toThrow(/404 Not Found \(no dataset\)/);
});
