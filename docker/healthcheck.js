// Liveness probe of the api image (Dockerfile HEALTHCHECK, compose and the ECS task definition):
// exits 0 when GET /health/live answers 2xx within 3 s. Plain Node, because the slim image has no curl.
// The worker (same image, no API) passes its metrics URL instead: `node docker/healthcheck.js <url>`.
const port = process.env.PORT || '8000';
const url = process.argv[2] || `http://127.0.0.1:${port}/health/live`;
fetch(url, { signal: AbortSignal.timeout(3000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
