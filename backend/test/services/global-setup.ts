import { startTestServices } from './index';

/** Where globalTeardown finds what globalSetup started (both run in the Jest parent process). */
export const GLOBAL_SERVICES = Symbol.for('housing.backend.test-services');

/** e2e-services: starts Postgres, Redis and moto once for the run and hands their URLs to the tests via process.env. */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const services = await startTestServices();
  (globalThis as Record<symbol, unknown>)[GLOBAL_SERVICES] = services;
  Object.assign(process.env, services.env);
  process.stderr.write(
    `\ntest services up in ${Date.now() - started} ms: postgres ${services.postgres?.port}, redis ${services.redis?.port}, s3 ${services.moto?.endpoint}\n`,
  );
}
