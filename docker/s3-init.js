// One-shot step of docker/compose.yaml (service s3-init, the api image): creates the bucket ARTIFACT_STORE
// names on the s3 service, with versioning on like the bucket on AWS (infra/lib/data.ts), and exits 0.
// Idempotent: a bucket that exists is kept with everything in it, so it runs on every `compose up`.
// Plain Node and the SDK the api already ships, because the S3 server's image has no S3 client.
const { S3Client, CreateBucketCommand, PutBucketVersioningCommand } = require('@aws-sdk/client-s3');

const bucket = new URL(process.env.ARTIFACT_STORE).host;
const s3 = new S3Client({
  endpoint: process.env.S3_ENDPOINT,
  region: process.env.S3_REGION || 'us-east-1',
  forcePathStyle: true,
});

/** The server may still be starting when compose runs this: retry for up to a minute. */
async function createBucket() {
  for (let attempt = 1; ; attempt++) {
    try {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      return 'created';
    } catch (error) {
      if (error.name === 'BucketAlreadyOwnedByYou' || error.name === 'BucketAlreadyExists') return 'kept';
      if (attempt >= 60 || error.$metadata?.httpStatusCode === 403) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

createBucket()
  .then(async (state) => {
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    console.log(`s3-init: bucket ${bucket} ${state}, versioning enabled`);
  })
  .catch((error) => {
    console.error(`s3-init: ${bucket}: ${error.name}: ${error.message}`);
    process.exit(1);
  });
