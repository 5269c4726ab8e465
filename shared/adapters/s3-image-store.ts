import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import type { ImageStore } from '#use-cases/ports';

export interface S3Config {
  AWS_REGION: string;
  S3_ENDPOINT?: string | undefined;
  /** The endpoint browsers upload to, when it differs from the one the functions use (local only). */
  S3_PUBLIC_ENDPOINT?: string | undefined;
}

export function s3Client(config: S3Config, endpoint = config.S3_ENDPOINT): S3Client {
  return new S3Client({
    region: config.AWS_REGION,
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    // Presigned URLs carry no checksum of a body that the signer never sees.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/**
 * Images in one bucket, under keys the server chose. Uploads are presigned POSTs whose policy pins
 * the key, the content type and the size range; S3 enforces the policy, and the local S3 server does
 * not, so whoever reads an image checks its size and type again (the worker's intake).
 */
export function s3ImageStore(client: S3Client, bucket: string, signer: S3Client = client): ImageStore {
  return {
    async presignUpload({ key, contentType, maxBytes, expiresInSeconds, metadata = {} }) {
      const metaFields = Object.fromEntries(
        Object.entries(metadata).map(([name, value]) => [`x-amz-meta-${name}`, value]),
      );
      const { url, fields } = await createPresignedPost(signer, {
        Bucket: bucket,
        Key: key,
        Conditions: [
          ['content-length-range', 1, maxBytes],
          ['eq', '$Content-Type', contentType],
          ...Object.entries(metaFields).map(
            ([name, value]) => ['eq', `$${name}`, value] as ['eq', string, string],
          ),
        ],
        Fields: { 'Content-Type': contentType, ...metaFields },
        Expires: expiresInSeconds,
      });
      return { url, fields };
    },

    async get(key, maxBytes) {
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        if (!object.Body) return { status: 'absent' };
        if ((object.ContentLength ?? 0) > maxBytes) {
          await object.Body.transformToWebStream().cancel();
          return { status: 'too-large' };
        }
        const bytes = Buffer.from(await object.Body.transformToByteArray());
        if (bytes.length > maxBytes) return { status: 'too-large' };
        return {
          status: 'ok',
          bytes,
          ...(object.ContentType ? { contentType: object.ContentType } : {}),
          metadata: object.Metadata ?? {},
        };
      } catch (error) {
        if (error instanceof NoSuchKey || (error as Error).name === 'NoSuchKey') return { status: 'absent' };
        throw error;
      }
    },

    async put(key, bytes, contentType) {
      await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentType: contentType }),
      );
    },

    async deletePrefix(prefix) {
      let deleted = 0;
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
        if (keys.length > 0) {
          await client.send(
            new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }),
          );
          deleted += keys.length;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return deleted;
    },
  };
}
