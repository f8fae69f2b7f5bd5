// The ceiling for POST /v1/predictions: a bare Fastify server that parses the same JSON, calls the same
// shared transform and the same ONNX session, and answers, with no auth, validation, logging or metrics.
// Usage: node ceiling.js <package-dir> <port>
const fastify = require('fastify');
const ml = require('../../ml/dist');

async function main() {
  const [dir, port] = process.argv.slice(2);
  const pkg = ml.readPackage(dir);
  const model = await ml.loadPackageModel(pkg.manifest, pkg.model, 1);
  const width = pkg.manifest.features.names.length;
  const app = fastify({ logger: false, bodyLimit: 2 * 1024 * 1024 });
  app.post('/v1/predictions', async (request) => {
    const features = new Float32Array(width);
    ml.transformInto(request.body.record, pkg.manifest.features, features, 0);
    const [price] = await model.predict(features, 1);
    return { price: Math.round(price * 100) / 100 };
  });
  await app.listen({ port: Number(port), host: '127.0.0.1' });
  process.stdout.write('ready\n');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
