import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as Tf from '@tensorflow/tfjs-core';
import type { Config, FaceResult, Human } from '@vladmandic/human';
import type sharpModule from 'sharp';
import type { FaceComparison, FaceMatcher } from '#domain/identity';

/**
 * The offline `FaceMatcher`: @vladmandic/human (BlazeFace detector, FaceMesh alignment, FaceRes
 * 1024-value descriptor) on TensorFlow.js's WASM backend. No network: the models are read from
 * human's own `models/` folder and the `.wasm` files from @tensorflow/tfjs-backend-wasm's `dist/`.
 *
 * Why this shape:
 * - human's package exports only the tfjs-node build to Node (its `dist/human.node-wasm` subpath is
 *   declared without the leading `./`, so Node refuses it); the WASM build is loaded by its file path.
 * - tfjs-core has no `file://` model loader without tfjs-node (a native binary, not wanted in Lambda),
 *   so one is registered here that reads model.json and its weight shards with `fs`.
 * - One model instance per process, loaded on the first comparison; comparisons run one at a time
 *   (tfjs's engine and human's per-instance caches are not reentrant).
 *
 * Measured on a 2-vCPU x86 machine (see test/integration/face-matcher.test.ts for the figures and how
 * they were taken): init (WASM compile, the three models: blazeface, facemesh, faceres, 9.2 MB)
 * 0.2–0.5 s; one image 0.2–0.3 s (p95 0.6 s); a comparison 0.4–0.9 s. Only those three models
 * are loaded, so a bundle needs only their six files in `modelDir`.
 */

export interface HumanFaceMatcherOptions {
  /** human's `models/` folder; default: the one in node_modules. A Lambda bundle ships it beside. */
  modelDir?: string;
  /** tfjs-backend-wasm's `dist/` folder holding the `.wasm` files; default: the one in node_modules. */
  wasmDir?: string;
}

export interface HumanFaceMatcher extends FaceMatcher {
  /** Loads the models now rather than on the first comparison (a cold start's init phase). */
  ready(): Promise<void>;
  /** One image's faces and the largest one's descriptor: for benchmarks, and to compare many pairs. */
  describe(image: Buffer): Promise<FaceDescription>;
  /** human's similarity (0–1) of two descriptors from `describe`. */
  similarity(a: readonly number[], b: readonly number[]): Promise<number>;
}

export interface FaceDescription {
  /** Prominent faces: at least half the width of the largest. */
  count: number;
  largest?: { embedding?: number[]; widthPx: number; share: number };
}

/** Images are scaled down to this long side first: detection runs at 256 px, descriptors at 224 px. */
const WORKING_LONG_SIDE_PX = 1024;
/** Below this short side there is no face worth describing; human's detector needs some pixels. */
const MIN_SIDE_PX = 48;
/** A face narrower than this share of the largest is background or an ID held up, not a person. */
const PROMINENT_FACE_WIDTH_SHARE = 0.5;
/** BlazeFace's score below which a box is dropped (human's default is 0.2, which finds faces in ID card patterns). */
const DETECTOR_MIN_CONFIDENCE = 0.5;

const require = createRequire(import.meta.url);

export function createHumanFaceMatcher(options: HumanFaceMatcherOptions = {}): HumanFaceMatcher {
  let loading: Promise<Human> | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  const instance = (): Promise<Human> => {
    loading ??= load(options).catch((error: unknown) => {
      loading = undefined; // a failed init (a missing model file) is retried on the next call
      throw error;
    });
    return loading;
  };

  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };

  return {
    async ready() {
      await instance();
    },
    describe(image) {
      return serial(async () => faces(await instance(), image));
    },
    async similarity(a, b) {
      return (await instance()).match.similarity([...a], [...b]);
    },
    compare(selfie, documentImage) {
      return serial(async () => {
        const human = await instance();
        const [mine, theirs] = [await faces(human, selfie), await faces(human, documentImage)];
        const comparison: FaceComparison = {
          selfieFaces: mine.count,
          documentFaces: theirs.count,
        };
        if (mine.largest !== undefined) {
          comparison.selfieFaceWidthPx = mine.largest.widthPx;
          comparison.selfieFaceShare = mine.largest.share;
        }
        if (mine.largest?.embedding && theirs.largest?.embedding) {
          comparison.similarity = human.match.similarity(mine.largest.embedding, theirs.largest.embedding);
        }
        return comparison;
      });
    },
  };
}

const NO_FACE: FaceDescription = { count: 0 };

/** Never throws for the image's sake: what cannot be decoded has no face. */
async function faces(human: Human, bytes: Buffer): Promise<FaceDescription> {
  const tf = human.tf as typeof Tf;
  let pixels: Awaited<ReturnType<typeof decode>>;
  try {
    pixels = await decode(bytes);
  } catch {
    return NO_FACE;
  }
  if (Math.min(pixels.width, pixels.height) < MIN_SIDE_PX) return NO_FACE;
  const input = tf.tensor3d(pixels.data, [pixels.height, pixels.width, 3], 'int32');
  try {
    const result = await human.detect(input);
    if (result.error) throw new Error(`face detection failed: ${result.error}`);
    const found = result.face.filter((face) => face.boxScore >= DETECTOR_MIN_CONFIDENCE);
    const largest = found.reduce<FaceResult | undefined>(
      (best, face) =>
        best === undefined || face.box[2] * face.box[3] > best.box[2] * best.box[3] ? face : best,
      undefined,
    );
    if (largest === undefined) return NO_FACE;
    const widest = largest.box[2];
    return {
      count: found.filter((face) => face.box[2] >= PROMINENT_FACE_WIDTH_SHARE * widest).length,
      largest: {
        ...(largest.embedding && largest.embedding.length > 0 && { embedding: largest.embedding }),
        widthPx: Math.round(widest * pixels.scale),
        share: (largest.box[2] * largest.box[3]) / (pixels.width * pixels.height),
      },
    };
  } finally {
    tf.dispose(input);
  }
}

/** RGB at the working size; `scale` maps a working pixel back to the original image. */
async function decode(
  bytes: Buffer,
): Promise<{ data: Uint8Array; width: number; height: number; scale: number }> {
  // Loaded on first use (not imported): esbuild would hoist the external's import into any bundle.
  const sharp: typeof sharpModule = (await import('sharp')).default;
  const image = sharp(bytes, { failOn: 'error', limitInputPixels: 8000 * 8000 }).rotate();
  const { width = 0, height = 0 } = await image.metadata();
  const longSide = Math.max(width, height);
  const { data, info } = await image
    .resize({
      width: WORKING_LONG_SIDE_PX,
      height: WORKING_LONG_SIDE_PX,
      fit: 'inside',
      withoutEnlargement: true,
    })
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels, got ${info.channels}`);
  return {
    data,
    width: info.width,
    height: info.height,
    scale: longSide / Math.max(info.width, info.height),
  };
}

async function load(options: HumanFaceMatcherOptions): Promise<Human> {
  // `require.resolve` names human's tfjs-node build (its Node export); the WASM build is beside it.
  const humanDist = dirname(require.resolve('@vladmandic/human'));
  const modelDir = options.modelDir ?? join(humanDist, '..', 'models');
  const wasmDir = options.wasmDir ?? dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  const { Human: HumanClass } = require(join(humanDist, 'human.node-wasm.js')) as {
    Human: new (config?: Partial<Config>) => Human;
  };
  const human = new HumanClass(humanConfig(modelDir, wasmDir));
  registerFileLoader(human.tf as typeof Tf);
  await human.load();
  if (!human.models.loaded().includes('faceres')) throw new Error(`face models not loaded from ${modelDir}`);
  return human;
}

/** The matcher's configuration of human (the face bench derives a detector-only one from it). */
export function humanConfig(modelDir: string, wasmDir: string): Partial<Config> {
  return {
    backend: 'wasm',
    wasmPath: `${wasmDir}/`,
    modelBasePath: `${pathToFileURL(modelDir).href}/`,
    debug: false,
    warmup: 'none',
    // Every call is a different image: no frame-to-frame caching.
    cacheSensitivity: 0,
    skipAllowed: false,
    filter: { enabled: false },
    gesture: { enabled: false },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    segmentation: { enabled: false },
    face: {
      enabled: true,
      detector: { maxDetected: 10, minConfidence: 0.2, rotation: false, return: false },
      mesh: { enabled: true },
      iris: { enabled: false },
      attention: { enabled: false },
      emotion: { enabled: false },
      description: { enabled: true },
      antispoof: { enabled: false },
      liveness: { enabled: false },
      gear: { enabled: false },
    },
  };
}

let fileLoaderRegistered = false;

/** tfjs-core's loaders speak HTTP only (tfjs-node adds `file://`): read a graph model with `fs`. */
function registerFileLoader(tf: typeof Tf): void {
  if (fileLoaderRegistered) return;
  fileLoaderRegistered = true;
  // tfjs's routers answer null for a URL they do not handle, though its type leaves null out.
  type Router = (url: string | string[]) => Tf.io.IOHandler | null;
  const router: Router = (url) => {
    if (typeof url !== 'string' || !url.startsWith('file://')) return null;
    const path = fileURLToPath(url);
    return {
      async load() {
        const modelJson = JSON.parse(await readFile(path, 'utf8')) as Tf.io.ModelJSON;
        return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
          const specs = manifest.flatMap((group) => group.weights);
          const shards = await Promise.all(
            manifest.flatMap((group) => group.paths).map((shard) => readFile(join(dirname(path), shard))),
          );
          const weights = Buffer.concat(shards);
          return [specs, weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength)];
        });
      },
    };
  };
  tf.io.registerLoadRouter(router as Parameters<typeof tf.io.registerLoadRouter>[0]);
}
