import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Frame, type Page } from 'playwright-core';

/**
 * Chromium for the journey's end-to-end tests (Debian's `chromium`, driven by playwright-core), and
 * what the tests do on every screen they reach: an axe-core audit and a screenshot at each of the
 * seed's size classes, written to test-artifacts/screens/.
 */

const ROOT = resolve(import.meta.dirname, '..', '..');
export const SCREENS_DIR = join(ROOT, 'test-artifacts', 'screens');

const BASE_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * A headless Chromium. With `cameraVideo`, a fake camera that plays that Y4M file and a permission
 * prompt that always allows (with `fakeCamera`, Chromium's own test pattern); without either, no
 * camera at all (no device for getUserMedia to find).
 */
export function launchChromium(
  options: { cameraVideo?: string; fakeCamera?: boolean } = {},
): Promise<Browser> {
  const camera =
    options.cameraVideo || options.fakeCamera
      ? [
          '--use-fake-device-for-media-stream',
          '--use-fake-ui-for-media-stream',
          ...(options.cameraVideo ? [`--use-file-for-fake-video-capture=${options.cameraVideo}`] : []),
        ]
      : [];
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...BASE_FLAGS, ...camera],
  });
}

/** The seed's size classes ("Displaying Netverify"), one frame size each, X-Small as a phone's width. */
export const SIZE_CLASSES = [
  { name: 'large', width: 930, height: 750 },
  { name: 'medium', width: 640, height: 660 },
  { name: 'small', width: 560, height: 600 },
  { name: 'xsmall', width: 375, height: 535 },
] as const;

let axeSource: string | undefined;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

/**
 * Runs axe-core in the page or frame (WCAG 2.x A/AA and best practices) and answers the serious and
 * critical violations. The source is evaluated rather than added as a <script>: the journey's CSP
 * (rightly) refuses an inline script without its nonce.
 */
export async function seriousViolations(target: Page | Frame): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  const loaded = await target.evaluate('typeof window.axe === "object"');
  if (!loaded) await target.evaluate(axeSource);
  const violations = (await target.evaluate(`
    axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    })))`)) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * A screenshot of the page at each size class (`<name>-<class>.png`), then the viewport it had.
 * The page is resized, not reloaded: the screen stays the one the journey reached.
 */
export async function screenshotsAtSizeClasses(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENS_DIR, { recursive: true });
  const original = page.viewportSize();
  for (const size of SIZE_CLASSES) {
    await page.setViewportSize({ width: size.width, height: size.height });
    // Two frames: layout and the resize's media queries settle before the picture.
    await page.evaluate(
      () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))),
    );
    await page.screenshot({ path: join(SCREENS_DIR, `${name}-${size.name}.png`), fullPage: true });
  }
  if (original) await page.setViewportSize(original);
}

/**
 * What every screen reached gets: the audit of the journey (the page, or the frame it is embedded in)
 * and the screenshots. The caller asserts the violations, so that the test names the screen.
 */
export async function auditScreen(
  page: Page,
  name: string,
  journey: Page | Frame = page,
): Promise<AxeViolation[]> {
  const violations = await seriousViolations(journey);
  await screenshotsAtSizeClasses(page, name);
  return violations;
}

/** A readable summary of violations for an assertion message. */
export function describeViolations(violations: AxeViolation[]): string {
  return violations
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `  ${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join('\n')}`,
    )
    .join('\n');
}
