import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// The API serves the built app at / (history-mode routes, SPA fallback) and answers on the same
// origin, so the dev server proxies the API paths to a locally running backend.
const api = process.env.DASHBOARD_API ?? 'http://127.0.0.1:8000';

export default defineConfig({
  plugins: [vue()],
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', reportCompressedSize: true },
  server: { proxy: { '/v1': api, '/health': api } },
});
