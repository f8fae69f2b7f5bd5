import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('gives the embedded local defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(8000);
    expect(config.database).toEqual({ type: 'sqlite', path: '.data/housing.sqlite' });
    expect(config.artifactStore).toEqual({ type: 'file', root: '.data/artifacts' });
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.corsOrigins).toEqual([]);
    expect(config.BOOTSTRAP_ADMIN_KEY).toBeUndefined();
  });

  it('reads production settings: Postgres, S3 with a prefix, CORS origins', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u:p@db:5432/housing',
      ARTIFACT_STORE: 's3://housing-artifacts/prod/v1/',
      S3_ENDPOINT: 'http://minio:9000',
      CORS_ORIGINS: 'https://a.example, https://b.example',
    });
    expect(config.database).toEqual({ type: 'postgres', url: 'postgres://u:p@db:5432/housing' });
    expect(config.artifactStore).toEqual({ type: 's3', bucket: 'housing-artifacts', prefix: 'prod/v1' });
    expect(config.S3_ENDPOINT).toBe('http://minio:9000');
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it('names every bad variable, one line each', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        ARTIFACT_STORE: 'ftp://x',
        BOOTSTRAP_ADMIN_KEY: 'short',
        LOG_LEVEL: 'loud',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as Error).message.split('\n').slice(1);
    const named = lines.map((line) => line.trim().split(':')[0]).sort();
    expect(named).toEqual(['ARTIFACT_STORE', 'BOOTSTRAP_ADMIN_KEY', 'DATABASE_URL', 'LOG_LEVEL', 'PORT']);
    expect((error as Error).message).toContain('DATABASE_URL: must start with sqlite: or postgres://');
  });
});
