import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { ARTIFACT_STORE, type ArtifactStore } from './artifact-store';
import { LocalArtifactStore } from './local-artifact-store';
import { S3ArtifactStore } from './s3-artifact-store';

/** The artifact store the configuration names: a local directory or an S3 bucket (with an optional endpoint override). */
export function createArtifactStore(
  config: Pick<AppConfig, 'artifactStore' | 'S3_ENDPOINT' | 'S3_REGION'>,
): ArtifactStore {
  const store = config.artifactStore;
  if (store.type === 'file') return new LocalArtifactStore(store.root);
  return new S3ArtifactStore({
    bucket: store.bucket,
    prefix: store.prefix,
    region: config.S3_REGION,
    endpoint: config.S3_ENDPOINT,
  });
}

/** Provides ARTIFACT_STORE to every module (global): inject it with `@Inject(ARTIFACT_STORE) store: ArtifactStore`. */
@Global()
@Module({
  providers: [
    {
      provide: ARTIFACT_STORE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => createArtifactStore(config),
    },
  ],
  exports: [ARTIFACT_STORE],
})
export class StorageModule {}
