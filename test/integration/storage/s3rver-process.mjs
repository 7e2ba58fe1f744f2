// An S3-compatible server (@20minutes/s3rver) on a free loopback port, in a process of its own so
// that its memory and CPU never count as the storage client's. Usage: node s3rver-process.mjs DIR
// BUCKET. Prints {"port": N} on one line once it serves, and runs until it is killed.
import S3rver from '@20minutes/s3rver';

const [directory, bucket] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  configureBuckets: [{ name: bucket }],
  // s3rver signs a bucket's path as `/bucket` where the AWS SDK signs `/bucket/` (both valid to S3),
  // so every bucket-level request (list, multi-delete) would fail its signature check: the check is
  // not what these tests are about.
  allowMismatchedSignatures: true,
});
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);
