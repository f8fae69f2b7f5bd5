export * from './artifact-store';
export { LocalArtifactStore } from './local-artifact-store';
export { S3ArtifactStore, type CopyLimits, type S3ArtifactStoreOptions } from './s3-artifact-store';
export { StorageModule, createArtifactStore } from './storage.module';
export { assertKey, keyProblem } from './keys';
