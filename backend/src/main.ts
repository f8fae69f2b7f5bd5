import { createApp } from './app.factory';
import { loadConfig, ConfigError } from './config/config';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config, { serveDashboard: true });
  await app.listen({ port: config.PORT, host: config.HOST });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : (error as Error).stack}\n`);
  process.exit(1);
});
