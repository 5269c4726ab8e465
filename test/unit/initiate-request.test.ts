import { describe, expect, it } from 'vitest';
import type { FieldIssue } from '#domain/errors';
import { ID_TYPES, InitiateRequest } from '#domain/initiate-request';
import { LOCALES } from '#domain/locales';
import { fieldIssues } from '#domain/validation';
import { SEED_SAMPLE_BODY } from './api-events.ts';

/** Every rule of the initiate request's field table (seed 000, "Request body"). */

const MINIMAL = { customerInternalReference: 'transaction_1234', userReference: 'user_1234' };

function issues(body: unknown): FieldIssue[] {
  const result = InitiateRequest.safeParse(body);
  return result.success ? [] : fieldIssues(result.error, body);
}

function withField(field: string, value: unknown): Record<string, unknown> {
  return { ...MINIMAL, [field]: value };
}

function expectValid(body: unknown) {
  expect(issues(body)).toEqual([]);
}

function expectIssue(body: unknown, field: string, rule: string) {
  expect(issues(body)).toContainEqual(expect.objectContaining({ field, rule }));
}

/** A valid https URL of exactly `length` characters. */
function urlOfLength(length: number): string {
  const prefix = 'https://www.yourcompany.com/';
  return prefix + 'a'.repeat(length - prefix.length);
}

describe('the seed sample request', () => {
  it('parses, verbatim, into the values it states', () => {
    const parsed = InitiateRequest.parse(JSON.parse(SEED_SAMPLE_BODY));
    expect(parsed).toEqual({
      customerInternalReference: 'transaction_1234',
      userReference: 'user_1234',
      successUrl: 'https://www.yourcompany.com/success',
      errorUrl: 'https://www.yourcompany.com/error',
      callbackUrl: 'https://www.yourcompany.com/callback',
      reportingCriteria: 'myReport1234',
      workflowId: 200,
      presets: [
        { index: 1, country: 'AUT', type: 'PASSPORT' },
        { index: 2, phrase: 'MY CUSTOM PHRASE' },
      ],
      locale: 'en-GB',
    });
  });

  it('needs only the two references', () => {
    expect(InitiateRequest.parse(MINIMAL)).toEqual(MINIMAL);
  });
});

describe('required fields', () => {
  it.each(['customerInternalReference', 'userReference'])('%s missing → required', (field) => {
    const body: Record<string, unknown> = { ...MINIMAL };
    delete body[field];
    expect(issues(body)).toEqual([{ field, rule: 'required', message: 'is required' }]);
  });

  it('an empty body names both required fields', () => {
    expect(issues({}).map((issue) => [issue.field, issue.rule])).toEqual([
      ['customerInternalReference', 'required'],
      ['userReference', 'required'],
    ]);
  });

  it.each([null, [], 'text', 42, true])('a body that is not an object (%j) is refused as a whole', (body) => {
    expect(issues(body)).toEqual([expect.objectContaining({ field: '(body)' })]);
  });
});

describe('free-text references', () => {
  const REFERENCES = ['customerInternalReference', 'userReference', 'reportingCriteria'];

  it.each(REFERENCES)('%s: 100 characters pass, 101 fail with max-length', (field) => {
    expectValid(withField(field, 'r'.repeat(100)));
    expect(issues(withField(field, 'r'.repeat(101)))).toEqual([
      { field, rule: 'max-length', message: 'must be at most 100 characters' },
    ]);
  });

  it.each(REFERENCES)('%s: an empty string fails with min-length', (field) => {
    expectIssue(withField(field, ''), field, 'min-length');
  });

  it.each(REFERENCES)('%s: one character passes', (field) => {
    expectValid(withField(field, 'x'));
  });

  it.each(
    REFERENCES.flatMap((field) =>
      ['john.doe@example.com', 'ref-jane+kyc@mail.example.co.uk', 'user john%40example.com'].map((value) => [
        field,
        value,
      ]),
    ),
  )('%s: an e-mail address (%s) fails with no-pii', (field, value) => {
    expectIssue(withField(field, value), field, 'no-pii');
  });

  it.each(['@channel', 'team@home', 'a@b', 'price 5€ @ store'])(
    'an @ that is not an e-mail address (%s) passes',
    (value) => {
      expectValid(withField('customerInternalReference', value));
    },
  );

  it.each(
    REFERENCES.flatMap((field) =>
      ['\u0000', '\n', '\r', '\t', '\u001b', '\u007f', '\u0085'].map((char) => [field, char]),
    ),
  )('%s: control character %j fails with no-control-characters', (field, char) => {
    expectIssue(withField(field, `tx${char}1234`), field, 'no-control-characters');
  });

  it.each([
    ['a lone surrogate', 'a\uD800b', 'well-formed'],
    ['a right-to-left override', 'user\u202E4321', 'no-control-characters'],
    ['a zero-width space', 'user\u200B1', 'no-control-characters'],
    ['a byte-order mark', '\uFEFFuser', 'no-control-characters'],
    ['only spaces', '   ', 'not-blank'],
  ])('%s fails', (_, value, rule) => {
    expectIssue(withField('customerInternalReference', value), 'customerInternalReference', rule);
  });

  it('keeps printable Unicode, spaces and punctuation', () => {
    expectValid(withField('userReference', 'Käufer #42 / Zürich — 東京 ✓'));
  });

  it.each([42, null, true, ['a'], { a: 1 }])(
    'a non-string reference (%j) fails, naming the field',
    (value) => {
      expect(issues(withField('customerInternalReference', value)).map((issue) => issue.field)).toEqual([
        'customerInternalReference',
      ]);
    },
  );
});

describe('success, error and callback URLs', () => {
  const LIMITS = [
    ['successUrl', 2047],
    ['errorUrl', 255],
    ['callbackUrl', 255],
  ] as const;

  it.each(LIMITS)('%s: a valid https URL of exactly %i characters passes', (field, max) => {
    const url = urlOfLength(max);
    expect(url).toHaveLength(max);
    expect(InitiateRequest.parse(withField(field, url))[field]).toBe(url);
  });

  it.each(LIMITS)('%s: one character past %i fails with max-length', (field, max) => {
    expect(issues(withField(field, urlOfLength(max + 1)))).toEqual([
      { field, rule: 'max-length', message: `must be at most ${max} characters` },
    ]);
  });

  it.each(LIMITS.map(([field]) => field))('%s: applies the URL policy (http → https-only)', (field) => {
    expectIssue(withField(field, 'http://www.yourcompany.com/x'), field, 'https-only');
  });

  it('reports each URL rule a URL breaks, all for the same field', () => {
    const rules = issues(withField('errorUrl', 'http://www.yourcompany.com:8080/x?errorCode=1#top')).map(
      (issue) => [issue.field, issue.rule],
    );
    expect(rules).toEqual([
      ['errorUrl', 'https-only'],
      ['errorUrl', 'no-port'],
      ['errorUrl', 'no-fragment'],
      ['errorUrl', 'reserved-query-parameter'],
    ]);
  });
});

describe('workflowId', () => {
  it.each([100, 101, 102, 200, 201, 202])('%i passes', (workflowId) => {
    expect(InitiateRequest.parse(withField('workflowId', workflowId)).workflowId).toBe(workflowId);
  });

  it.each([103, 300, 0, -100, 199, 999])('%i fails with one-of', (workflowId) => {
    expect(issues(withField('workflowId', workflowId))).toEqual([
      { field: 'workflowId', rule: 'one-of', message: 'must be one of 100, 101, 102, 200, 201, 202' },
    ]);
  });

  it.each(['200', 200.5, true, [200]])('%j fails, naming workflowId', (workflowId) => {
    const found = issues(withField('workflowId', workflowId));
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((issue) => issue.field === 'workflowId')).toBe(true);
  });
});

describe('tokenLifetimeInMinutes', () => {
  it.each([5, 30, 86400])('%i passes', (minutes) => {
    expect(InitiateRequest.parse(withField('tokenLifetimeInMinutes', minutes)).tokenLifetimeInMinutes).toBe(
      minutes,
    );
  });

  it('4 fails with minimum', () => {
    expect(issues(withField('tokenLifetimeInMinutes', 4))).toEqual([
      { field: 'tokenLifetimeInMinutes', rule: 'minimum', message: 'must be at least 5' },
    ]);
  });

  it('86401 fails with maximum', () => {
    expect(issues(withField('tokenLifetimeInMinutes', 86401))).toEqual([
      { field: 'tokenLifetimeInMinutes', rule: 'maximum', message: 'must be at most 86400' },
    ]);
  });

  it.each([5.5, 0, -30, '30'])('%j fails, naming tokenLifetimeInMinutes', (minutes) => {
    const found = issues(withField('tokenLifetimeInMinutes', minutes));
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((issue) => issue.field === 'tokenLifetimeInMinutes')).toBe(true);
  });
});

describe('locale', () => {
  it.each(LOCALES)('%s passes as is', (locale) => {
    expect(InitiateRequest.parse(withField('locale', locale)).locale).toBe(locale);
  });

  it.each(LOCALES)('%s in upper or lower case is given back canonical', (locale) => {
    expect(InitiateRequest.parse(withField('locale', locale.toLowerCase())).locale).toBe(locale);
    expect(InitiateRequest.parse(withField('locale', locale.toUpperCase())).locale).toBe(locale);
  });

  it('en-gb becomes en-GB', () => {
    expect(InitiateRequest.parse(withField('locale', 'en-gb')).locale).toBe('en-GB');
  });

  it('accepts Croatian (hr), from the portal list', () => {
    expect(InitiateRequest.parse(withField('locale', 'hr')).locale).toBe('hr');
  });

  it.each(['xx', 'en-US', 'en_GB', 'pt-PT', 'zh', 'e', ''])('unknown %j fails with one-of', (locale) => {
    expectIssue(withField('locale', locale), 'locale', 'one-of');
  });

  it.each(['en-GB-x', 'english', 'zh-Hans'])('%s is longer than 5 characters → max-length', (locale) => {
    expectIssue(withField('locale', locale), 'locale', 'max-length');
  });

  it('a non-string locale fails', () => {
    expect(issues(withField('locale', 7)).map((issue) => issue.field)).toEqual(['locale']);
  });
});

describe('presets', () => {
  const idPreset = (change: Record<string, unknown> = {}) => ({
    index: 1,
    country: 'AUT',
    type: 'PASSPORT',
    ...change,
  });
  const identityPreset = (phrase: unknown = 'MY CUSTOM PHRASE') => ({ index: 2, phrase });
  const presets = (...items: unknown[]) => withField('presets', items);

  it.each(ID_TYPES)('index 1 with AUT and type %s passes', (type) => {
    expectValid(presets(idPreset({ type })));
  });

  it.each(['AUT', 'XKX', 'USA', 'DEU', 'GBR'])('index 1 with country %s passes', (country) => {
    expectValid(presets(idPreset({ country })));
  });

  it.each(['XXX', 'AT', 'aut', 'Aut', '', 'AUT '])(
    'country %j fails, naming presets[0].country',
    (country) => {
      const found = issues(presets(idPreset({ country })));
      expect(found.length).toBeGreaterThan(0);
      expect(found.every((issue) => issue.field === 'presets[0].country')).toBe(true);
    },
  );

  it.each(['XXX', 'AT', 'aut'])('country %s fails with country-code', (country) => {
    expectIssue(presets(idPreset({ country })), 'presets[0].country', 'country-code');
  });

  it('a country longer than 3 characters fails with max-length', () => {
    expectIssue(presets(idPreset({ country: 'AUTT' })), 'presets[0].country', 'max-length');
  });

  it.each(['VISA', 'passport', 'ID', ''])('type %j fails with one-of', (type) => {
    expectIssue(presets(idPreset({ type })), 'presets[0].type', 'one-of');
  });

  it.each(['country', 'type'])('index 1 without %s fails, naming the field', (field) => {
    const preset: Record<string, unknown> = idPreset();
    delete preset[field];
    expect(issues(presets(preset)).map((issue) => issue.field)).toEqual([`presets[0].${field}`]);
  });

  it('index 2 without a phrase fails with required', () => {
    expectIssue(presets({ index: 2 }), 'presets[0].phrase', 'required');
  });

  it('an extra field in a preset fails with unknown-field', () => {
    expect(issues(presets(idPreset({ state: 'Vienna' })))).toEqual([
      { field: 'presets[0].state', rule: 'unknown-field', message: 'is not a field of this request' },
    ]);
  });

  it('a phrase in an ID preset is an extra field', () => {
    expectIssue(presets(idPreset({ phrase: 'HELLO' })), 'presets[0].phrase', 'unknown-field');
  });

  it.each([3, 0, -1, '1', null])('index %j fails, naming presets[0].index', (index) => {
    expect(issues(presets(idPreset({ index }))).map((issue) => issue.field)).toContain('presets[0].index');
  });

  it('index 3 fails with one-of', () => {
    expectIssue(presets(idPreset({ index: 3 })), 'presets[0].index', 'one-of');
  });

  it('a repeated index fails with unique-index', () => {
    expect(issues(presets(idPreset(), idPreset({ country: 'DEU' })))).toEqual([
      { field: 'presets', rule: 'unique-index', message: 'must not repeat a preset index' },
    ]);
    expectIssue(presets(identityPreset(), identityPreset('OTHER')), 'presets', 'unique-index');
  });

  it('an empty array passes: presets "for neither" (seed 000)', () => {
    expectValid(presets());
  });

  it('three items fail with max-items', () => {
    expectIssue(presets(idPreset(), identityPreset(), idPreset()), 'presets', 'max-items');
  });

  it('both presets together pass, in either order', () => {
    expectValid(presets(idPreset(), identityPreset()));
    expectValid(presets(identityPreset(), idPreset()));
  });

  it.each([{}, 'AUT', { index: 1, country: 'AUT', type: 'PASSPORT' }])(
    'presets that is not an array (%j) fails',
    (value) => {
      const found = issues(withField('presets', value));
      expect(found.length).toBeGreaterThan(0);
      expect(found.every((issue) => issue.field === 'presets')).toBe(true);
    },
  );

  it.each(['A', 'MY CUSTOM PHRASE', 'abc 123', 'A'.repeat(30), '123456789012345678901234567890'])(
    'phrase %j (≤ 30 Latin letters, digits, spaces) passes',
    (phrase) => {
      expectValid(presets(identityPreset(phrase)));
    },
  );

  it('a 31-character phrase fails with max-length', () => {
    expect(issues(presets(identityPreset('A'.repeat(31))))).toEqual([
      { field: 'presets[0].phrase', rule: 'max-length', message: 'must be at most 30 characters' },
    ]);
  });

  it.each(['HELLO!', 'MY-PHRASE', 'ÜBER', 'hello_world', 'a.b', 'line\nbreak'])(
    'phrase %j fails with format',
    (phrase) => {
      expect(issues(presets(identityPreset(phrase)))).toEqual([
        {
          field: 'presets[0].phrase',
          rule: 'format',
          message: 'must use Latin letters, digits and spaces only',
        },
      ]);
    },
  );

  it('an empty phrase fails with min-length', () => {
    expectIssue(presets(identityPreset('')), 'presets[0].phrase', 'min-length');
  });

  it('names the failing item by its position', () => {
    expectIssue(
      presets(identityPreset(), idPreset({ country: 'XXX' })),
      'presets[1].country',
      'country-code',
    );
  });
});

describe('unknown fields', () => {
  it.each(['callbackURL', 'customerId', 'extra', 'constructor', 'toString'])(
    '%s fails with unknown-field',
    (field) => {
      expect(issues(withField(field, 'x'))).toEqual([
        { field, rule: 'unknown-field', message: 'is not a field of this request' },
      ]);
    },
  );

  it('a __proto__ key from JSON.parse is an unknown field', () => {
    expect(
      issues(
        JSON.parse('{"customerInternalReference":"a","userReference":"b","__proto__":{"workflowId":100}}'),
      ),
    ).toEqual([{ field: '__proto__', rule: 'unknown-field', message: 'is not a field of this request' }]);
  });

  it('names every unknown field', () => {
    expect(issues({ ...MINIMAL, a: 1, b: 2 }).map((issue) => issue.field)).toEqual(['a', 'b']);
  });
});

describe('several failures', () => {
  it('lists every failing field in one answer', () => {
    const found = issues({
      userReference: 'x'.repeat(101),
      successUrl: 'http://www.yourcompany.com',
      workflowId: 103,
      locale: 'xx',
      tokenLifetimeInMinutes: 4,
    });
    expect(found.map((issue) => [issue.field, issue.rule])).toEqual(
      expect.arrayContaining([
        ['customerInternalReference', 'required'],
        ['userReference', 'max-length'],
        ['successUrl', 'https-only'],
        ['workflowId', 'one-of'],
        ['locale', 'one-of'],
        ['tokenLifetimeInMinutes', 'minimum'],
      ]),
    );
  });
});

/**
 * A field present with the wrong type is a `type` (or value) error, never `required`: zod 4 does not
 * say whether a value was absent, so fieldIssues looks at the input itself.
 */
describe('a present field of the wrong type', () => {
  const CASES: [string, unknown][] = [
    ['workflowId', '200'],
    ['workflowId', 200.5],
    ['tokenLifetimeInMinutes', 5.5],
    ['customerInternalReference', 42],
    ['presets', [null]],
  ];
  for (const [field, value] of CASES) {
    it(`${field}: ${JSON.stringify(value)} is not reported as required`, () => {
      const found = issues(withField(field, value));
      expect(found.length).toBeGreaterThan(0);
      for (const issue of found) {
        expect(issue.rule).not.toBe('required');
        expect(issue.message).not.toBe('is required');
      }
    });
  }

  it('a preset without its type is reported as required (not one-of)', () => {
    const { type: _type, ...preset } = { index: 1, country: 'AUT', type: 'PASSPORT' };
    expectIssue(withField('presets', [preset]), 'presets[0].type', 'required');
  });
});

/**
 * Java and .NET serialisers write absent values as null by default: an optional field sent as null
 * means the same as leaving it out. A required field sent as null is still refused.
 */
describe('null', () => {
  it.each([
    'reportingCriteria',
    'successUrl',
    'errorUrl',
    'callbackUrl',
    'workflowId',
    'presets',
    'locale',
    'tokenLifetimeInMinutes',
  ])('%s: null counts as absent', (field) => {
    const parsed = InitiateRequest.parse(withField(field, null));
    expect(parsed[field as keyof typeof parsed]).toBeUndefined();
    expect(parsed).toMatchObject(MINIMAL);
  });

  it.each(['customerInternalReference', 'userReference'])('%s: null is refused', (field) => {
    expect(issues(withField(field, null)).map((issue) => issue.field)).toEqual([field]);
  });

  it('null inside presets is refused', () => {
    expect(issues(withField('presets', [null])).map((issue) => issue.field)).toEqual(['presets[0]']);
  });
});

/**
 * An overlong reference stops at `max-length`: the no-pii check (which scans the value) does not
 * run on text already refused, so a 16,000-character reference costs no more than a short one.
 */
describe('an overlong reference', () => {
  it('is refused by max-length alone', () => {
    const found = issues(withField('userReference', `${'a'.repeat(16_000)}@example.com`));
    expect(found).toEqual([expect.objectContaining({ field: 'userReference', rule: 'max-length' })]);
  });
});
