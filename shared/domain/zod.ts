// biome-ignore lint/style/noRestrictedImports: the one module that imports zod/mini, to add the messages.
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * The zod every schema that ends up in a Lambda bundle is built with: `zod/mini`, whose schemas
 * carry no methods (classic `zod` attaches dozens of closures to each one, about 10 ms of every cold
 * start), plus the English messages classic `zod` would have brought, which `zod/mini` leaves out.
 * Import it as `import * as z from '#domain/zod'`; biome.json refuses classic `zod` in bundled code.
 */
config(en());

// biome-ignore lint/style/noRestrictedImports: see above.
export * from 'zod/mini';
