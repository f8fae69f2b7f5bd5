import { GLOBAL_SERVICES } from './global-setup';
import type { TestServices } from './index';

/** e2e-services: stops what globalSetup started (Jest runs this after failing tests too). */
export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as Record<symbol, unknown>;
  const services = holder[GLOBAL_SERVICES] as TestServices | undefined;
  delete holder[GLOBAL_SERVICES];
  if (!services) return;
  await services.stop();
  for (const name of Object.keys(services.env)) delete process.env[name];
}
