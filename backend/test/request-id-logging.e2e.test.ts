import { Writable } from 'node:stream';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * The request id on every log line written while a request is served, services' lines included (not
 * only Fastify's request log): a caller's X-Request-Id, or the one the API made up, finds them all.
 */
interface LogLine {
  msg?: string;
  requestId?: string;
  reqId?: string;
  context?: string;
  name?: string;
}

const lines: LogLine[] = [];
const raw: string[] = [];
const destination = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      raw.push(line);
      lines.push(JSON.parse(line) as LogLine);
    }
    done();
  },
});

let t: TestApp;
/** The lines written while the app started, before any request. */
let startup: LogLine[];

beforeAll(async () => {
  t = await startTestApp({ LOG_LEVEL: 'info' }, { logDestination: destination });
  startup = [...lines];
});

afterAll(async () => {
  await t?.close();
});

const createKey = (name: string, requestId?: string) => {
  const request = t.request().post('/v1/keys').set('x-api-key', t.adminKey);
  if (requestId) void request.set('x-request-id', requestId);
  return request.send({ name, scopes: ['predict'] });
};
/** AuthService's `API key created` line for the key called `name`. */
const serviceLine = (name: string) => lines.find((l) => l.msg === 'API key created' && l.name === name);

test('a service’s log line inside a request carries the caller’s X-Request-Id', async () => {
  const res = await createKey('logged-key', 'trace-4f2a9c');
  expect(res.status).toBe(201);
  expect(res.headers['x-request-id']).toBe('trace-4f2a9c');
  const line = serviceLine('logged-key');
  expect(line).toMatchObject({ context: 'Auth', requestId: 'trace-4f2a9c' });
  // Fastify's own request lines (incoming, completed) carry it under the same name, once per line
  const forRequest = lines.filter((l) => l.requestId === 'trace-4f2a9c').map((l) => l.msg);
  expect(forRequest).toEqual(
    expect.arrayContaining(['incoming request', 'API key created', 'request completed']),
  );
  expect(
    raw.filter((r) => r.includes('trace-4f2a9c')).every((r) => r.split('"requestId"').length === 2),
  ).toBe(true);
  expect(lines.some((l) => l.reqId !== undefined)).toBe(false);
});

test('without an X-Request-Id, the id the API made up (the response header) is on the service line', async () => {
  const res = await createKey('unnamed-request-key');
  expect(res.status).toBe(201);
  const id = res.headers['x-request-id'] as string;
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  expect(serviceLine('unnamed-request-key')?.requestId).toBe(id);
});

test('concurrent requests keep their own ids (no request’s id leaks onto another’s lines)', async () => {
  const names = Array.from({ length: 8 }, (_, i) => `concurrent-${i}`);
  const responses = await Promise.all(names.map((name, i) => createKey(name, `parallel-${i}`)));
  expect(responses.map((r) => r.status)).toEqual(names.map(() => 201));
  expect(names.map((name) => serviceLine(name)?.requestId)).toEqual(names.map((_, i) => `parallel-${i}`));
});

test('lines written outside a request carry no request id', () => {
  // e.g. Nest's module initialisation and the bootstrap admin key being stored
  expect(startup.length).toBeGreaterThan(0);
  expect(startup.filter((l) => l.requestId !== undefined)).toEqual([]);
});
