import { type S3Config, s3Client, s3ImageStore } from '#adapters/s3-image-store';
import type { ImageStore } from '#use-cases/ports';

export interface ImagesSettings extends S3Config {
  BUCKET_NAME: string;
}

/**
 * The image bucket's store; presigned uploads are signed for `S3_PUBLIC_ENDPOINT` when it is set
 * (local). Its own module, imported only by the entries that use images: the S3 client is a good part
 * of a cold import (bench/README.md), and a bundle evaluates every module it carries.
 */
export function s3Images(config: ImagesSettings): ImageStore {
  const client = s3Client(config);
  const signer = config.S3_PUBLIC_ENDPOINT ? s3Client(config, config.S3_PUBLIC_ENDPOINT) : client;
  return s3ImageStore(client, config.BUCKET_NAME, signer);
}
