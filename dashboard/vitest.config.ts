import { defineConfig, mergeConfig } from 'vitest/config';
import viteConfig from './vite.config.ts';

export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      environment: 'happy-dom',
      environmentOptions: { happyDOM: { url: 'http://localhost/' } },
      include: ['src/**/*.test.ts'],
      restoreMocks: true,
      setupFiles: ['src/test/setup.ts'],
      unstubGlobals: true,
    },
  }),
);
