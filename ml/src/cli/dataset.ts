import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, openAsBlob, renameSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InputError } from '../errors';

/** `ml dataset push|pull`: the dataset registry of a running API (POST/GET /v1/datasets). */
export interface ApiOptions {
  /** Base URL of the API, e.g. http://localhost:8000 */
  server: string;
  /** An API key with models:write (push) or models:read (pull). */
  key: string;
}

export interface DatasetInfo {
  id: string;
  sha256: string;
  spec: string;
  rows: number;
  bytes: number;
  fileName: string | null;
}

export function endpoint(options: ApiOptions, route: string): string {
  let base: URL;
  try {
    base = new URL(options.server);
  } catch {
    throw new InputError(
      `--server must be a URL such as http://localhost:8000, got ${JSON.stringify(options.server)}`,
    );
  }
  if (!/^https?:$/.test(base.protocol)) throw new InputError('--server must be an http:// or https:// URL');
  return new URL(route, base.href.endsWith('/') ? base.href : `${base.href}/`).href;
}

/** The API's problem+json answer as an error naming the status and detail. */
export async function failure(response: Response, what: string): Promise<Error> {
  let detail = '';
  try {
    const body = (await response.json()) as { detail?: string; title?: string };
    detail = body.detail ?? body.title ?? '';
  } catch {
    // not JSON
  }
  const message = `${what}: ${response.status} ${response.statusText}${detail ? ` (${detail})` : ''}`;
  return response.status >= 400 && response.status < 500 ? new InputError(message) : new Error(message);
}

/** Uploads a CSV (streamed from disk) as a dataset version; the same bytes again return the existing one. */
export async function pushDataset(
  options: ApiOptions & { file: string; spec: string },
): Promise<{ dataset: DatasetInfo; created: boolean }> {
  if (!existsSync(options.file)) throw new InputError(`--data ${options.file}: no such file`);
  const form = new FormData();
  form.append('spec', options.spec);
  form.append('file', await openAsBlob(options.file, { type: 'text/csv' }), path.basename(options.file));
  const response = await fetch(endpoint(options, 'v1/datasets'), {
    method: 'POST',
    headers: { 'x-api-key': options.key },
    body: form,
  });
  if (response.status !== 200 && response.status !== 201) throw await failure(response, 'push failed');
  return { dataset: (await response.json()) as DatasetInfo, created: response.status === 201 };
}

/**
 * Downloads a dataset version to `out`: streamed into a temporary file, checked against the
 * dataset's sha256, then renamed into place (a failed or corrupted download leaves nothing).
 */
export async function pullDataset(options: ApiOptions & { id: string; out: string }): Promise<DatasetInfo> {
  if (!/^[0-9a-f-]{36}$/i.test(options.id))
    throw new InputError(`--id must be a dataset id (uuid), got ${JSON.stringify(options.id)}`);
  const headers = { 'x-api-key': options.key };
  const info = await fetch(endpoint(options, `v1/datasets/${options.id}`), { headers });
  if (!info.ok) throw await failure(info, 'pull failed');
  const dataset = (await info.json()) as DatasetInfo;
  const content = await fetch(endpoint(options, `v1/datasets/${options.id}/content`), { headers });
  if (!content.ok || !content.body) throw await failure(content, 'pull failed');
  const tmp = `${options.out}.tmp-${process.pid}`;
  const hash = createHash('sha256');
  const body = Readable.fromWeb(content.body as import('node:stream/web').ReadableStream<Uint8Array>);
  body.on('data', (chunk: Buffer) => hash.update(chunk));
  try {
    await pipeline(body, createWriteStream(tmp));
    const actual = hash.digest('hex');
    if (actual !== dataset.sha256)
      throw new Error(`pull: downloaded sha256 ${actual} differs from the dataset's ${dataset.sha256}`);
    renameSync(tmp, options.out);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
  return dataset;
}
