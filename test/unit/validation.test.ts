import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  AppError,
  Conflict,
  JourneyErrorCode,
  NotAcceptable,
  NotFound,
  PayloadTooLarge,
  SessionRejected,
  Unauthorized,
  UnsupportedMediaType,
  ValidationError,
} from '#domain/errors';
import { fieldIssues, parseOrThrow } from '#domain/validation';

describe('the error hierarchy', () => {
  it.each([
    [new ValidationError([]), 400, 'validation_failed'],
    [new Unauthorized('x'), 401, 'unauthorized'],
    [new NotFound('x'), 404, 'not_found'],
    [new NotAcceptable('x'), 406, 'not_acceptable'],
    [new Conflict('x'), 409, 'conflict'],
    [new PayloadTooLarge('x'), 413, 'payload_too_large'],
    [new UnsupportedMediaType('x'), 415, 'unsupported_media_type'],
    [new SessionRejected(9200), 401, 'session_rejected'],
  ])('%o has status %i and code %s', (error, status, code) => {
    expect(error).toBeInstanceOf(AppError);
    expect(error).toBeInstanceOf(Error);
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
  });

  it('a ValidationError keeps its issues and names them in its message', () => {
    const error = new ValidationError([
      { field: 'a', rule: 'required', message: 'is required' },
      { field: 'b', rule: 'max-length', message: 'too long' },
    ]);
    expect(error.issues).toHaveLength(2);
    expect(error.message).toBe('a: is required; b: too long');
  });

  it('SessionRejected carries the journey error code and a message for it', () => {
    expect(new SessionRejected(9200).errorCode).toBe(9200);
    expect(new SessionRejected(9210).errorCode).toBe(9210);
    expect(new SessionRejected(9200).message).not.toBe(new SessionRejected(9210).message);
  });

  it('the journey error codes are the seed list', () => {
    expect(Object.values(JourneyErrorCode).sort()).toEqual([
      9100, 9200, 9210, 9300, 9400, 9800, 9801, 9810, 9820, 9821, 9822, 9835,
    ]);
  });
});

describe('fieldIssues', () => {
  const schema = z.strictObject({
    name: z.string().max(3),
    list: z
      .array(z.strictObject({ code: z.string().refine((v) => v === 'ok', { params: { rule: 'is-ok' } }) }))
      .max(1),
    count: z.number().min(1).max(9).multipleOf(2).optional(),
    kind: z.enum(['a', 'b']).optional(),
    email: z.email().optional(),
  });
  const issuesOf = (input: unknown, prefix?: string) => {
    const result = schema.safeParse(input);
    if (result.success) throw new Error('expected a failure');
    return fieldIssues(result.error, input, prefix);
  };

  it('names nested fields with dots and brackets', () => {
    expect(issuesOf({ name: 'a', list: [{ code: 'no' }] })).toEqual([
      { field: 'list[0].code', rule: 'is-ok', message: expect.any(String) },
    ]);
  });

  it('a custom check without a rule name is `invalid`', () => {
    const result = z.object({ a: z.string().refine(() => false) }).safeParse({ a: 'x' });
    expect(result.error && fieldIssues(result.error, undefined)).toEqual([
      { field: 'a', rule: 'invalid', message: expect.any(String) },
    ]);
  });

  it.each([
    [{ list: [] }, 'name', 'required', 'is required'],
    [{ name: 'abcd', list: [] }, 'name', 'max-length', 'must be at most 3 characters'],
    [{ name: 'a', list: [{ code: 'ok' }, { code: 'ok' }] }, 'list', 'max-items', 'must have at most 1 items'],
    [{ name: 'a', list: [], count: 0 }, 'count', 'minimum', 'must be at least 1'],
    [{ name: 'a', list: [], count: 10 }, 'count', 'maximum', 'must be at most 9'],
    [{ name: 'a', list: [], count: 3 }, 'count', 'multiple-of', expect.any(String)],
    [{ name: 'a', list: [], kind: 'c' }, 'kind', 'one-of', 'must be one of "a", "b"'],
    [{ name: 'a', list: [], email: 'nope' }, 'email', 'format', expect.any(String)],
    [{ name: 'a', list: [], extra: 1 }, 'extra', 'unknown-field', 'is not a field of this request'],
  ])('%j → %s %s', (input, field, rule, message) => {
    expect(issuesOf(input)).toEqual([{ field, rule, message }]);
  });

  it('a failure of the whole value is named (body)', () => {
    expect(issuesOf('text')).toEqual([
      { field: '(body)', rule: expect.any(String), message: expect.any(String) },
    ]);
  });

  it('prefixes every field', () => {
    expect(issuesOf({ list: [], extra: 1 }, 'settings.').map((issue) => issue.field)).toEqual([
      'settings.name',
      'settings.extra',
    ]);
  });

  it('every issue has non-empty strings', () => {
    for (const issue of issuesOf({ name: 5, list: 'x', count: 'y', kind: 1, email: 2, extra: 3 })) {
      expect(issue.field.length).toBeGreaterThan(0);
      expect(issue.rule.length).toBeGreaterThan(0);
      expect(issue.message.length).toBeGreaterThan(0);
    }
  });
});

describe('parseOrThrow', () => {
  it('returns the parsed value', () => {
    expect(parseOrThrow(z.object({ a: z.string().transform((v) => v.length) }), { a: 'abc' })).toEqual({
      a: 3,
    });
  });

  it('throws a ValidationError with the field issues', () => {
    try {
      parseOrThrow(z.object({ a: z.string().max(1) }), { a: 'abc' }, 'x.');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues).toEqual([
        { field: 'x.a', rule: 'max-length', message: 'must be at most 1 characters' },
      ]);
    }
  });
});
