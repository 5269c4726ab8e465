import type { BarcodeReader } from '#adapters/zxing-barcode-reader';
import type { AamvaData } from '#domain/aamva';
import { DEFAULT_IDENTITY_THRESHOLDS, type FaceMatcher, type IdentityThresholds } from '#domain/identity';
import type { MrzReading } from '#domain/mrz';
import type { PrintedReading } from '#domain/printed-fields';
import * as z from '#domain/zod';
import { readConfig } from '#shared/config';
import { type PrintedFieldReader, systemClock } from '#use-cases/ports';
import type { MrzReader } from '#use-cases/verify';

/**
 * The one place where a deployment's engines are chosen, at cold start: the offline engine
 * (tesseract.js, human on WASM, ZXing on WASM) or the AWS providers (Amazon Textract AnalyzeID,
 * Amazon Rekognition), behind the same ports.
 *
 *   OPENVERIFY_DOCUMENT_PROVIDER = offline | textract      (default offline)
 *   OPENVERIFY_FACE_PROVIDER     = offline | rekognition   (default offline)
 *   OPENVERIFY_AI_REGION         = region for Textract and Rekognition (default AWS_REGION), for a
 *                                  stack in a region without them; the images then leave that region.
 *
 * Every adapter is imported inside a function, on the first image it is given: esbuild hoists static
 * imports of external packages, so a bundle only ever loads (and pays the cold start of) the engines
 * its configuration uses. The PDF417 reader is offline whatever the document provider: Textract reads
 * a licence's printed front, not its barcode, and ZXing is exact and costs milliseconds.
 *
 * The printed-field reader (a licence front with no MRZ and no barcode) is the offline engine's only:
 * with `textract` there is none, and such a document stays not readable, as Textract's printed fields
 * are documented never to be reported as verified on their own (textract-document-reader.ts), and a
 * second engine would bring tesseract's cold start into a deployment that chose not to run it.
 */

export const DOCUMENT_PROVIDERS = ['offline', 'textract'] as const;
export const FACE_PROVIDERS = ['offline', 'rekognition'] as const;

export const ProvidersConfig = z.object({
  OPENVERIFY_DOCUMENT_PROVIDER: z._default(z.enum(DOCUMENT_PROVIDERS), 'offline'),
  OPENVERIFY_FACE_PROVIDER: z._default(z.enum(FACE_PROVIDERS), 'offline'),
  OPENVERIFY_AI_REGION: z.optional(z.string().check(z.minLength(1))),
  AWS_REGION: z.optional(z.string().check(z.minLength(1))),
});

export interface DocumentProvider {
  name: (typeof DOCUMENT_PROVIDERS)[number];
  /** The MRZ of a document image. */
  mrz: MrzReader;
  /** The AAMVA PDF417 on the back of a North-American licence or ID card. */
  barcode: BarcodeReader;
  /** The printed fields where there is no MRZ and no barcode; offline only. */
  printed?: PrintedFieldReader;
}

export interface FaceProvider {
  name: (typeof FACE_PROVIDERS)[number];
  faces: FaceMatcher;
  /** What `identityVerification` must be given for this engine's similarity scale. */
  identityThresholds: IdentityThresholds;
}

/**
 * Rekognition's CompareFaces similarity (0–100, divided by 100) is on another scale than the offline
 * engine's, so its thresholds are its own. Not measured here (no AWS account in the tests); chosen
 * from AWS's guidance, to be checked against real traffic:
 * - `match` 0.99: AWS recommends a 99% threshold "for use cases where highly accurate face
 *   similarity matches are important" (its default of 80% is meant for e.g. photo collections).
 *   The score is still reported as `faceMatch` for customers who apply their own.
 * - `sameSource` off: Rekognition scores a genuine selfie against an ID portrait at 99–100, as it
 *   does a copy of the portrait, so no similarity tells a re-photographed portrait from a live face.
 * - the face size rules are the engine-independent ones.
 */
export const REKOGNITION_IDENTITY_THRESHOLDS: IdentityThresholds = {
  ...DEFAULT_IDENTITY_THRESHOLDS,
  match: 0.99,
  sameSource: Number.POSITIVE_INFINITY,
};

type Config = z.output<typeof ProvidersConfig>;

/** Reads the choice once; fails at cold start, naming the variable, on a value it does not know. */
export function providersConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config = readConfig(ProvidersConfig, env);
  const usesAws =
    config.OPENVERIFY_DOCUMENT_PROVIDER !== 'offline' || config.OPENVERIFY_FACE_PROVIDER !== 'offline';
  if (usesAws && !(config.OPENVERIFY_AI_REGION ?? config.AWS_REGION)) {
    throw new Error(
      'Invalid configuration: AWS_REGION (or OPENVERIFY_AI_REGION) is required by the AWS providers',
    );
  }
  return config;
}

const regionOf = (config: Config): string => config.OPENVERIFY_AI_REGION ?? config.AWS_REGION ?? '';

/** Loads once, on first use; a failed load is tried again on the next call. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}

function lazyMrzReader(load: () => Promise<MrzReader>): MrzReader {
  const reader = once(load);
  return { read: async (image): Promise<MrzReading | undefined> => (await reader()).read(image) };
}

export function documentProvider(config: Config = providersConfig()): DocumentProvider {
  const name = config.OPENVERIFY_DOCUMENT_PROVIDER;
  const mrz =
    name === 'textract'
      ? lazyMrzReader(async () => {
          const [{ TextractClient }, { createTextractDocumentReader }] = await Promise.all([
            import('@aws-sdk/client-textract'),
            import('#adapters/textract-document-reader'),
          ]);
          return createTextractDocumentReader({
            client: new TextractClient({ region: regionOf(config) }),
            clock: systemClock,
          });
        })
      : lazyMrzReader(async () => {
          const { createTesseractMrzReader } = await import('#adapters/tesseract-mrz-reader');
          return createTesseractMrzReader({ clock: systemClock });
        });
  const barcode = once(async () => (await import('#adapters/zxing-barcode-reader')).createBarcodeReader());
  const printed = once(async () =>
    (await import('#adapters/tesseract-printed-reader')).createTesseractPrintedReader(),
  );
  return {
    name,
    mrz,
    barcode: {
      readPdf417: async (image): Promise<AamvaData | undefined> => (await barcode()).readPdf417(image),
    },
    ...(name === 'offline'
      ? {
          printed: {
            read: async (image): Promise<PrintedReading | undefined> => (await printed()).read(image),
          },
        }
      : {}),
  };
}

export function faceProvider(config: Config = providersConfig()): FaceProvider {
  if (config.OPENVERIFY_FACE_PROVIDER === 'rekognition') {
    const matcher = once(async () => {
      const [{ RekognitionClient }, { createRekognitionFaceMatcher }] = await Promise.all([
        import('@aws-sdk/client-rekognition'),
        import('#adapters/rekognition-face-matcher'),
      ]);
      return createRekognitionFaceMatcher({ client: new RekognitionClient({ region: regionOf(config) }) });
    });
    return {
      name: 'rekognition',
      faces: { compare: async (selfie, document) => (await matcher()).compare(selfie, document) },
      identityThresholds: REKOGNITION_IDENTITY_THRESHOLDS,
    };
  }
  const matcher = once(async () => (await import('#adapters/human-face-matcher')).createHumanFaceMatcher());
  return {
    name: 'offline',
    faces: { compare: async (selfie, document) => (await matcher()).compare(selfie, document) },
    identityThresholds: DEFAULT_IDENTITY_THRESHOLDS,
  };
}
