import { documentClient } from '#adapters/dynamodb';
import { createHumanFaceMatcher } from '#adapters/human-face-matcher';
import { s3Client, s3ImageStore } from '#adapters/s3-image-store';
import { createSharpImageInspector } from '#adapters/sharp-image-inspector';
import { sqsClient, sqsWorkQueue } from '#adapters/sqs-work-queue';
import { dynamoTransactionRepository } from '#adapters/transaction-repository';
import * as z from '#domain/zod';
import { readConfig } from '#shared/config';
import { systemClock } from '#use-cases/ports';
import type { MrzReader, VerifyDeps } from '#use-cases/verify';
import { ImagesConfig } from './journey.ts';

/** The OCR engine, loaded on the first message: its native and WASM parts stay out of cold start. */
function lazyMrzReader(): MrzReader {
  let loaded: Promise<MrzReader> | undefined;
  return {
    read: async (image) => {
      loaded ??= import('#adapters/tesseract-mrz-reader').then((module) =>
        module.createTesseractMrzReader({ clock: systemClock }),
      );
      return (await loaded).read(image);
    },
  };
}

/** The verification worker's adapters: the offline engine (sharp, tesseract.js). */
export function verifyDeps(env: NodeJS.ProcessEnv = process.env): VerifyDeps {
  const config = readConfig(
    z.extend(ImagesConfig, { QUEUE_URL_CALLBACK: z.string().check(z.minLength(1)) }),
    env,
  );
  return {
    transactions: dynamoTransactionRepository(documentClient(config), config.TABLE_NAME, systemClock),
    images: s3ImageStore(s3Client(config), config.BUCKET_NAME),
    inspector: createSharpImageInspector(),
    mrz: lazyMrzReader(),
    faces: createHumanFaceMatcher(),
    callbackQueue: sqsWorkQueue(sqsClient(config), config.QUEUE_URL_CALLBACK),
    clock: systemClock,
  };
}
