import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Worker } from 'tesseract.js';

/**
 * The tesseract.js worker that each OCR reader keeps (the MRZ's, the printed fields'): English data
 * from @tesseract.js-data/eng 4.0.0, offline; started on first use, and again after a start that
 * failed. tesseract.js is loaded on first use, not imported: esbuild would hoist a static import of
 * the external package to the top of every bundle that carries a reader.
 */

export interface TesseractWorkerSpec {
  /** Folder holding `eng.traineddata.gz` (legacy-capable); defaults to @tesseract.js-data/eng's 4.0.0. */
  langPath?: string | undefined;
  /** `legacy` reads the MRZ far better; `lstm` reads printed text better. */
  engine: 'legacy' | 'lstm';
  /** Parameters over the shared ones (one block of text at 300 dpi). */
  parameters?: Record<string, string>;
}

export interface OnDemandWorker {
  get(): Promise<Worker>;
  /** Ends the worker; a later `get` starts a new one. */
  close(): Promise<void>;
}

export function onDemandTesseractWorker(spec: TesseractWorkerSpec): OnDemandWorker {
  let worker: Promise<Worker> | undefined;
  return {
    get() {
      worker ??= startWorker(spec).catch((error: unknown) => {
        worker = undefined;
        throw error;
      });
      return worker;
    },
    async close() {
      const current = worker;
      worker = undefined;
      if (current) await (await current.catch(() => undefined))?.terminate();
    },
  };
}

async function startWorker(spec: TesseractWorkerSpec): Promise<Worker> {
  const { createWorker, OEM, PSM } = await import('tesseract.js');
  const worker = await createWorker(
    'eng',
    spec.engine === 'legacy' ? OEM.TESSERACT_ONLY : OEM.LSTM_ONLY,
    {
      langPath: spec.langPath ?? defaultLangPath(),
      gzip: true,
      cacheMethod: 'none',
      // Without a handler, a failed job is also thrown from the worker's message listener.
      errorHandler: () => {},
    },
    // Names, numbers and the MRZ are not English words: the dictionaries only pull readings towards them.
    { load_system_dawg: '0', load_freq_dawg: '0' },
  );
  await worker.setParameters({
    tessedit_pageseg_mode: PSM.SINGLE_BLOCK,
    // The crops carry no resolution; without one tesseract warns on every image.
    user_defined_dpi: '300',
    ...spec.parameters,
  });
  return worker;
}

function defaultLangPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0');
}
