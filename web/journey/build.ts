import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { LOCALES, type Locale } from '../../shared/domain/locales.ts';

/**
 * Bundles the journey's browser code (client/main.ts) into one minified script, to be inlined in the
 * page under its CSP nonce.
 *
 * Built for a locale, the bundle carries that locale's catalogue, its root language's and English
 * (about 12 KB gzipped in all); built without one, every catalogue (about 62 KB gzipped, over the
 * page budget: for tests and tools). The 60 KB gzip budget is checked per locale in
 * test/unit/journey-messages.test.ts.
 */

const ENTRY = fileURLToPath(new URL('./client/main.ts', import.meta.url));
const MESSAGES = fileURLToPath(new URL('./messages/', import.meta.url));

const identifier = (locale: string) =>
  locale.replace('-', '').replace(/^(..)(..)$/, (_, a, b) => a + b.toUpperCase());

/** Replaces messages/catalogues.ts with a module holding only the locales the page can show. */
function cataloguesFor(locale: Locale): Plugin {
  const root = locale.split('-')[0] ?? locale;
  const locales = [...new Set(['en', root, locale])].filter((l) =>
    (LOCALES as readonly string[]).includes(l),
  );
  return {
    name: 'journey-catalogues',
    setup(esbuild) {
      esbuild.onResolve({ filter: /[/\\]catalogues\.ts$/ }, () => ({
        path: 'catalogues',
        namespace: 'journey',
      }));
      esbuild.onLoad({ filter: /.*/, namespace: 'journey' }, () => ({
        resolveDir: MESSAGES,
        loader: 'ts',
        contents: [
          ...locales.map((l) => `import { ${identifier(l)} } from './${l.toLowerCase()}.ts';`),
          `export const CATALOGUES = { ${locales.map((l) => `'${l}': ${identifier(l)}`).join(', ')} };`,
        ].join('\n'),
      }));
    },
  };
}

export async function buildJourneyClient(locale?: Locale): Promise<string> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
    plugins: locale ? [cataloguesFor(locale)] : [],
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no journey script');
  return output.text;
}
