// node web/journey/prebuild.ts <dir>: writes the journey's bundle for every locale, `<dir>/<locale>.js`,
// for the deployed journey page (infra bundles it beside the handler; functions/web/journey-page.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCALES } from '../../shared/domain/locales.ts';
import { buildJourneyClient } from './build.ts';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node web/journey/prebuild.ts <output directory>');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
for (const locale of LOCALES) writeFileSync(join(dir, `${locale}.js`), await buildJourneyClient(locale));
