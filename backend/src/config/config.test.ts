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

  describe('BATCH_MONTHLY_CRON (checked with cron-parser, the parser BullMQ schedules with)', () => {
    const INPUT = 'file:///srv/artifacts/datasets/monthly.csv';
    const cronError = (pattern: string): string => {
      try {
        loadConfig({ BATCH_MONTHLY_CRON: pattern });
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      throw new Error(`BATCH_MONTHLY_CRON=${pattern} was accepted`);
    };

    it.each(['0 3 1 * *', '*/15 * * * *', '0 0 3 1 * *', '0 6 * * MON-FRI', '@monthly'])(
      'accepts %j',
      (pattern) => {
        expect(
          loadConfig({ BATCH_MONTHLY_CRON: pattern, BATCH_MONTHLY_INPUT_URI: INPUT }).BATCH_MONTHLY_CRON,
        ).toBe(pattern);
      },
    );

    it.each(['every month', '61 * * * *', '0 3 32 * *', '* * * * * * * *', '0 0 30 2 *'])(
      'refuses %j at load, naming the variable',
      (pattern) => {
        const message = cronError(pattern);
        expect(message).toMatch(/^ {2}BATCH_MONTHLY_CRON: not a cron pattern BullMQ can schedule/m);
        // only this variable is named
        expect(message.split('\n').slice(1)).toHaveLength(1);
      },
    );

    it('without BATCH_MONTHLY_INPUT_URI is refused at load, naming the missing variable', () => {
      expect(() => loadConfig({ BATCH_MONTHLY_CRON: '0 3 1 * *' })).toThrow(ConfigError);
      expect(() => loadConfig({ BATCH_MONTHLY_CRON: '0 3 1 * *', BATCH_MONTHLY_INPUT_URI: '' })).toThrow(
        /^invalid configuration:\n {2}BATCH_MONTHLY_INPUT_URI: required when BATCH_MONTHLY_CRON is set/,
      );
      // the input alone is fine (an API-started monthly run may name it)
      expect(loadConfig({ BATCH_MONTHLY_INPUT_URI: INPUT }).BATCH_MONTHLY_INPUT_URI).toBe(INPUT);
    });

    it('is optional: unset (or empty) means no monthly batch', () => {
      expect(loadConfig({}).BATCH_MONTHLY_CRON).toBeUndefined();
      expect(loadConfig({ BATCH_MONTHLY_CRON: '' }).BATCH_MONTHLY_CRON).toBeUndefined();
    });
  });
});
