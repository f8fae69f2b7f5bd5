import * as path from 'node:path';
import { Test } from '@nestjs/testing';
import { loadConfig } from '../config/config';
import { ConfigModule } from '../config/config.module';
import { ARTIFACT_STORE, type ArtifactStore } from './artifact-store';
import { LocalArtifactStore } from './local-artifact-store';
import { S3ArtifactStore } from './s3-artifact-store';
import { StorageModule, createArtifactStore } from './storage.module';

describe('StorageModule', () => {
  it('provides a LocalArtifactStore for file:// configuration', async () => {
    const config = loadConfig({ ARTIFACT_STORE: 'file:///tmp/housing-artifacts-test' });
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), StorageModule],
    }).compile();
    const store = moduleRef.get<ArtifactStore>(ARTIFACT_STORE);
    expect(store).toBeInstanceOf(LocalArtifactStore);
    expect(store.uri('a/b')).toBe('file:///tmp/housing-artifacts-test/a/b');
    await moduleRef.close();
  });

  it('resolves a relative file:// root against the working directory', () => {
    const store = createArtifactStore(
      loadConfig({ ARTIFACT_STORE: 'file://.data/artifacts' }),
    ) as LocalArtifactStore;
    expect(store.root).toBe(path.resolve('.data/artifacts'));
  });

  it('provides an S3ArtifactStore for s3:// configuration, with the endpoint override', async () => {
    const config = loadConfig({
      ARTIFACT_STORE: 's3://my-bucket/some/prefix',
      S3_ENDPOINT: 'http://127.0.0.1:9',
      S3_REGION: 'eu-west-1',
    });
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), StorageModule],
    }).compile();
    const store = moduleRef.get<ArtifactStore>(ARTIFACT_STORE);
    expect(store).toBeInstanceOf(S3ArtifactStore);
    const s3 = store as S3ArtifactStore;
    expect(s3.bucket).toBe('my-bucket');
    expect(s3.prefix).toBe('some/prefix');
    expect(store.uri('models/x/1/model.onnx')).toBe('s3://my-bucket/some/prefix/models/x/1/model.onnx');
    expect(store.keyOf('s3://my-bucket/some/prefix/models/x')).toBe('models/x');
    expect(store.keyOf('s3://my-bucket/some/prefixed/models/x')).toBeUndefined();
    expect(store.keyOf('s3://other/some/prefix/models/x')).toBeUndefined();
    expect(await s3.client.config.region()).toBe('eu-west-1');
    expect(s3.client.config.forcePathStyle).toBe(true);
    const endpoint = await s3.client.config.endpoint!();
    expect(`${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`).toBe('http://127.0.0.1:9');
    await moduleRef.close();
  });

  it('uses virtual-hosted AWS addressing without an endpoint and a bucket-root prefix', () => {
    const store = createArtifactStore(loadConfig({ ARTIFACT_STORE: 's3://bucket' })) as S3ArtifactStore;
    expect(store.prefix).toBe('');
    expect(store.uri('k/v')).toBe('s3://bucket/k/v');
    expect(store.keyOf('s3://bucket/k/v')).toBe('k/v');
    expect(store.client.config.forcePathStyle).toBeFalsy();
    store.onApplicationShutdown();
  });
});
