import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CopyObjectCommand } from '@aws-sdk/client-s3';
import type { ArtifactStore } from '../storage/artifact-store';
import { LocalArtifactStore } from '../storage/local-artifact-store';
import { S3ArtifactStore } from '../storage/s3-artifact-store';

/**
 * Moves a complete object to its final key: a rename for the local store (atomic on one filesystem),
 * a server-side CopyObject for S3 (the target appears whole), a streamed copy for any other store.
 * Readers of `to` see the previous object or the new one, never a partial one.
 */
export async function moveArtifact(store: ArtifactStore, from: string, to: string): Promise<void> {
  if (store instanceof LocalArtifactStore) {
    const target = fileURLToPath(store.uri(to));
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.rename(fileURLToPath(store.uri(from)), target);
    return;
  }
  if (store instanceof S3ArtifactStore) {
    const source = store.uri(from).slice('s3://'.length);
    const targetKey = store.uri(to).slice(`s3://${store.bucket}/`.length);
    await store.client.send(
      new CopyObjectCommand({
        Bucket: store.bucket,
        Key: targetKey,
        CopySource: source.split('/').map(encodeURIComponent).join('/'),
      }),
    );
    await store.delete(from);
    return;
  }
  await store.putStream(to, await store.getStream(from));
  await store.delete(from);
}

/**
 * Deletes every object under `prefix` (a folder-like prefix ending in '/'); best effort. For the local
 * store the directory goes whole, with the temporary files of attempts that were killed mid-write.
 */
export async function deletePrefix(store: ArtifactStore, prefix: string): Promise<void> {
  try {
    if (store instanceof LocalArtifactStore && prefix.endsWith('/') && prefix.length > 1) {
      await fs.rm(fileURLToPath(store.uri(prefix.slice(0, -1))), { recursive: true, force: true });
      return;
    }
    for (const key of await store.list(prefix)) await store.delete(key).catch(() => undefined);
  } catch {
    // best effort
  }
}
