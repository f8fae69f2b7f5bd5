import { precompressSwaggerUi } from './swagger-assets';

/** Build step (`npm run build -w backend`): Swagger UI's big files precompressed into dist/swagger-ui. */
precompressSwaggerUi().then(
  (files) => process.stdout.write(`precompressed Swagger UI: ${files.length} files\n`),
  (error: unknown) => {
    process.stderr.write(`precompressing Swagger UI failed: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
