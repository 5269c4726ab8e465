import { type FieldIssue, ValidationError } from './errors.ts';
import * as z from './zod.ts';

/**
 * Turns zod's issues into the product's `{field, rule, message}` list. Custom checks carry their rule
 * name in `params.rule`; built-in checks get a stable name from their issue code. `input` is what was
 * parsed: a field absent from it is `required`, a field present with a wrong value is not.
 */
export function fieldIssues(error: z.core.$ZodError, input: unknown, prefix = ''): FieldIssue[] {
  return error.issues.flatMap((issue): FieldIssue[] => {
    const missing = isMissing(input, issue.path);
    const field = prefix + pathToField(issue.path);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: prefix + pathToField([...issue.path, key]),
        rule: 'unknown-field',
        message: 'is not a field of this request',
      }));
    }
    return [{ field: field || '(body)', rule: ruleOf(issue, missing), message: messageOf(issue, missing) }];
  });
}

export function parseOrThrow<S extends z.core.$ZodType>(schema: S, input: unknown, prefix = ''): z.output<S> {
  const result = z.safeParse(schema, input);
  if (!result.success) throw new ValidationError(fieldIssues(result.error, input, prefix));
  return result.data;
}

function pathToField(path: readonly PropertyKey[]): string {
  return path.reduce<string>((field, key) => {
    if (typeof key === 'number') return `${field}[${key}]`;
    const name = key === '' ? '""' : String(key);
    return field ? `${field}.${name}` : name;
  }, '');
}

function isMissing(input: unknown, path: readonly PropertyKey[]): boolean {
  let parent: unknown = input;
  for (const key of path.slice(0, -1)) {
    if (typeof parent !== 'object' || parent === null) return false;
    parent = (parent as Record<PropertyKey, unknown>)[key];
  }
  const last = path[path.length - 1];
  if (last === undefined || typeof parent !== 'object' || parent === null) return false;
  return (parent as Record<PropertyKey, unknown>)[last] === undefined;
}

function ruleOf(issue: z.core.$ZodIssue, missing: boolean): string {
  if (
    missing &&
    (issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'invalid_union')
  ) {
    return 'required';
  }
  switch (issue.code) {
    case 'custom':
      return typeof issue.params?.rule === 'string' ? issue.params.rule : 'invalid';
    case 'invalid_type':
      return 'type';
    case 'too_big':
      return issue.origin === 'string' ? 'max-length' : issue.origin === 'array' ? 'max-items' : 'maximum';
    case 'too_small':
      return issue.origin === 'string' ? 'min-length' : issue.origin === 'array' ? 'min-items' : 'minimum';
    case 'invalid_value':
    case 'invalid_union':
      return 'one-of';
    case 'invalid_format':
      return 'format';
    case 'not_multiple_of':
      return 'multiple-of';
    default:
      return 'invalid';
  }
}

function messageOf(issue: z.core.$ZodIssue, missing: boolean): string {
  if (
    missing &&
    (issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'invalid_union')
  ) {
    return 'is required';
  }
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${article(issue.expected)} ${issue.expected}`;
    case 'too_big':
      return issue.origin === 'string'
        ? `must be at most ${issue.maximum} characters`
        : issue.origin === 'array'
          ? `must have at most ${issue.maximum} items`
          : `must be at most ${issue.maximum}`;
    case 'too_small':
      return issue.origin === 'string'
        ? `must be at least ${issue.minimum} character${issue.minimum === 1 ? '' : 's'}`
        : issue.origin === 'array'
          ? `must have at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`
          : `must be at least ${issue.minimum}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    default:
      return issue.message;
  }
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}
