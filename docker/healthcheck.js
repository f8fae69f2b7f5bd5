// Liveness probe of the api image (Dockerfile HEALTHCHECK, compose and the ECS task definition):
// exits 0 when GET /health/live answers 2xx within 3 s. Plain Node, because the slim image has no curl.
const port = process.env.PORT || '8000';
fetch(`http://127.0.0.1:${port}/health/live`, { signal: AbortSignal.timeout(3000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
