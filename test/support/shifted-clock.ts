/**
 * Runs the unit and integration suites on a clock moved far from the real one (400 days ahead by
 * default; `OPENVERIFY_TEST_CLOCK_SHIFT_DAYS` sets another shift, 0 turns it off). A test that builds
 * fixtures on fixed dates and lets them meet the real clock then fails today, not on the day the
 * calendar passes its dates: every stored time must be compared with a `Clock` the test controls.
 *
 * The shift moves `Date` only, as `faketime` would for the whole process: timers, `performance` and
 * the servers under test (DynamoDB Local, s3rver, fauxqs) keep real time.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
const days = Number(process.env.OPENVERIFY_TEST_CLOCK_SHIFT_DAYS ?? 400);
if (!Number.isFinite(days)) throw new Error('OPENVERIFY_TEST_CLOCK_SHIFT_DAYS must be a number of days');

export const CLOCK_SHIFT_MS = days * DAY_MS;

const RealDate = globalThis.Date;
if (CLOCK_SHIFT_MS !== 0 && !(RealDate as { shifted?: boolean }).shifted) {
  class ShiftedDate extends RealDate {
    static shifted = true;
    constructor(...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + CLOCK_SHIFT_MS);
      else super(...(args as [string | number | Date]));
    }
    static override now(): number {
      return RealDate.now() + CLOCK_SHIFT_MS;
    }
  }
  globalThis.Date = ShiftedDate as unknown as DateConstructor;
}
