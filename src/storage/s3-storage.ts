import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import { pathOfUri, storagePathOf, uriOfPath } from './paths.js';
import type { S3Settings } from './settings.js';
import { type ByteRange, checkRange, type Storage } from './storage.js';

/** S3's smallest part; lib-storage holds `queueSize` parts of this size in memory while it uploads. */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 2;
/** DeleteObjects takes at most this many keys. */
const DELETE_BATCH = 1000;

/** Internal storage in a bucket of any S3-compatible service: `sluice:///a/b.csv` is the object
 * `<prefix>a/b.csv`. S3 itself makes an object visible only once its upload is complete, and a
 * second upload of a key replaces the first whole. */
export class S3Storage implements Storage {
  private readonly prefix: string;
  private readonly partSize: number;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    options: { prefix?: string; partSize?: number } = {},
  ) {
    const prefix = options.prefix?.split('/').filter(Boolean).join('/') ?? '';
    this.prefix = prefix === '' ? '' : `${prefix}/`;
    this.partSize = options.partSize ?? DEFAULT_PART_SIZE;
  }

  private key(relPath: string): string {
    return this.prefix + relPath;
  }

  async put(path: string, content: Readable | Buffer | string): Promise<string> {
    const relPath = storagePathOf(path);
    // When the source fails, lib-storage reports the failure of aborting the multipart upload if
    // that fails too (some S3-compatible services lack the call): the source's error is the one
    // that tells the caller what went wrong.
    let sourceError: unknown;
    if (content instanceof Readable) {
      content.once('error', (error) => {
        sourceError = error;
      });
    }
    try {
      // Bodies up to one part go in one PutObject; larger ones as a multipart upload, aborted on failure.
      await new Upload({
        client: this.client,
        params: { Bucket: this.bucket, Key: this.key(relPath), Body: content },
        partSize: this.partSize,
        queueSize: QUEUE_SIZE,
        leavePartsOnError: false,
      }).done();
    } catch (error) {
      throw sourceError ?? error;
    }
    return uriOfPath(relPath);
  }

  async get(uri: string, range?: ByteRange): Promise<Readable> {
    checkRange(range);
    const Key = this.key(pathOfUri(uri));
    if (range?.length === 0) {
      // an empty slice needs no body, but a missing file must still say so
      if (!(await this.exists(uri))) throw new Error(`file not found: ${uri}`);
      return Readable.from([]);
    }
    const Range =
      range && (range.offset > 0 || range.length !== undefined)
        ? `bytes=${range.offset}-${range.length === undefined ? '' : range.offset + range.length - 1}`
        : undefined;
    try {
      const { Body } = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key, Range }));
      return Body as Readable;
    } catch (error) {
      if (isS3Error(error, 'NoSuchKey', 404)) throw new Error(`file not found: ${uri}`);
      // the object exists, and the slice starts at or past its end
      if (isS3Error(error, 'InvalidRange', 416)) return Readable.from([]);
      throw error;
    }
  }

  async exists(uri: string): Promise<boolean> {
    return this.has(this.key(pathOfUri(uri)));
  }

  private async has(Key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
      return true;
    } catch (error) {
      if (isS3Error(error, 'NotFound', 404)) return false;
      throw error;
    }
  }

  async deletePrefix(uri: string): Promise<number> {
    const key = this.key(pathOfUri(uri));
    let count = 0;
    if (await this.has(key)) {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
      count++;
    }
    let ContinuationToken: string | undefined;
    do {
      const listed = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: `${key}/`,
          ContinuationToken,
          MaxKeys: DELETE_BATCH,
        }),
      );
      const keys = (listed.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
      if (keys.length > 0) {
        const { Errors } = await this.client.send(
          new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys, Quiet: true } }),
        );
        if (Errors && Errors.length > 0) {
          const first = Errors[0];
          throw new Error(
            `${Errors.length} files under ${uri} could not be deleted (${first.Key}: ${first.Code} ${first.Message})`,
          );
        }
        count += keys.length;
      }
      ContinuationToken = listed.IsTruncated ? listed.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return count;
  }
}

/** The client for the settings, once the bucket has answered: a wrong endpoint, bucket or key stops
 * the start with a clear message rather than failing the first task that stores a file. */
export async function openS3Storage(settings: S3Settings): Promise<S3Storage> {
  const client = new S3Client({
    region: settings.region ?? 'us-east-1',
    endpoint: settings.endpoint,
    forcePathStyle: settings.forcePathStyle,
    credentials:
      settings.accessKey && settings.secretKey
        ? { accessKeyId: settings.accessKey, secretAccessKey: settings.secretKey }
        : undefined,
    // Checksums only where S3 demands them: many S3-compatible services refuse the trailing
    // checksums the SDK sends by default since 2025.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  try {
    await client.send(new HeadBucketCommand({ Bucket: settings.bucket }));
  } catch (error) {
    client.destroy();
    // HEAD answers carry no body, so S3's own error message is lost: the status says it
    const status = (error as S3ServiceException).$metadata?.httpStatusCode;
    const why =
      status === 404
        ? 'it does not exist'
        : status === 403
          ? 'access denied (check the keys and the bucket policy)'
          : status === 301
            ? 'it is in another region (set storage.s3.region)'
            : (error as Error).message || (error as Error).name;
    throw new Error(
      `storage.s3: bucket ${JSON.stringify(settings.bucket)} at ${settings.endpoint ?? 'AWS'} cannot be used: ${why}`,
    );
  }
  return new S3Storage(client, settings.bucket, { prefix: settings.prefix, partSize: settings.partSize });
}

function isS3Error(error: unknown, name: string, status: number): boolean {
  if (!(error instanceof S3ServiceException)) return false;
  return error.name === name || error.$metadata?.httpStatusCode === status;
}
