import { describe, expect, it } from 'vitest';
import { acceptsJson, declaresOnlyUtf8, isJsonContentType } from '#domain/api-headers';
import { basicCredentials, bearerToken, bodyBytes, header } from '#http/request';
import { apiEvent, basic } from './api-events.ts';

describe('basicCredentials (RFC 7617)', () => {
  it('reads the API token as user-id and the secret as password', () => {
    expect(basicCredentials(basic('ovk_token', 'ovs_secret'))).toEqual({
      apiToken: 'ovk_token',
      apiSecret: 'ovs_secret',
    });
  });

  it('splits at the first colon: the password may contain colons', () => {
    expect(basicCredentials(basic('token', 'se:cr:et'))).toEqual({
      apiToken: 'token',
      apiSecret: 'se:cr:et',
    });
  });

  it('reads UTF-8', () => {
    expect(basicCredentials(basic('tökén', 'sécret'))).toEqual({ apiToken: 'tökén', apiSecret: 'sécret' });
  });

  it.each(['basic', 'BASIC', 'Basic'])('the scheme %s is case-insensitive', (scheme) => {
    const value = Buffer.from('t:s').toString('base64');
    expect(basicCredentials(`${scheme} ${value}`)).toEqual({ apiToken: 't', apiSecret: 's' });
  });

  it('allows several spaces and trailing whitespace', () => {
    expect(basicCredentials(`Basic   ${Buffer.from('t:s').toString('base64')}  `)).toEqual({
      apiToken: 't',
      apiSecret: 's',
    });
  });

  it('an empty password is given as an empty secret', () => {
    expect(basicCredentials(basic('token', ''))).toEqual({ apiToken: 'token', apiSecret: '' });
  });

  it.each([
    ['no header', undefined],
    ['empty', ''],
    ['scheme only', 'Basic'],
    ['scheme and space', 'Basic '],
    ['Bearer', 'Bearer abc'],
    ['no colon', `Basic ${Buffer.from('tokenonly').toString('base64')}`],
    ['empty user-id', `Basic ${Buffer.from(':secret').toString('base64')}`],
    ['not base64', 'Basic ***'],
    ['two values', `Basic ${Buffer.from('a:b').toString('base64')} extra`],
    ['no space after the scheme', `Basic${Buffer.from('a:b').toString('base64')}`],
  ])('%s → undefined', (_name, value) => {
    expect(basicCredentials(value)).toBeUndefined();
  });
});

describe('bearerToken', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['BEARER   abc  ', 'abc'],
  ])('%j → %j', (value, token) => {
    expect(bearerToken(value)).toBe(token);
  });

  it.each([undefined, '', 'Bearer', 'Bearer ', 'Bearer a b', 'Basic abc', 'Bearerabc'])(
    '%j → undefined',
    (value) => {
      expect(bearerToken(value)).toBeUndefined();
    },
  );
});

describe('acceptsJson', () => {
  it.each([
    'application/json',
    'APPLICATION/JSON',
    'application/json; charset=utf-8',
    'application/*',
    '*/*',
    'text/html, application/json',
    'text/html;q=0.9, */*;q=0.1',
    'application/json;q=0.5',
    'application/json; q=1',
    'application/json;q=0.001',
  ])('%j admits JSON', (accept) => {
    expect(acceptsJson(accept)).toBe(true);
  });

  it.each([
    '',
    'text/html',
    'application/xml',
    'text/json',
    'application/jsonp',
    'application/problem+json',
    'application/json;q=0',
    'application/json; q=0.0',
    'application/json;Q=0.000',
    '*/*;q=0',
    'text/html, application/json;q=0',
  ])('%j does not admit JSON', (accept) => {
    expect(acceptsJson(accept)).toBe(false);
  });
});

describe('isJsonContentType', () => {
  it.each([
    'application/json',
    'Application/JSON',
    'application/json; charset=utf-8',
    ' application/json ;charset=UTF-8',
  ])('%j is JSON', (value) => {
    expect(isJsonContentType(value)).toBe(true);
  });

  it.each([
    '',
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/json-patch+json',
    'text/json',
    'application/jsonx',
  ])('%j is not JSON', (value) => {
    expect(isJsonContentType(value)).toBe(false);
  });
});

describe('declaresOnlyUtf8', () => {
  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'application/json;charset=UTF-8',
    'application/json; charset="utf-8"',
    'application/json; charset=utf8',
  ])('%j is UTF-8 (or says nothing)', (value) => {
    expect(declaresOnlyUtf8(value)).toBe(true);
  });

  it.each([
    'application/json; charset=iso-8859-1',
    'application/json; charset=utf-16',
    'application/json; charset=utf-8; charset=latin1',
  ])('%j is not', (value) => {
    expect(declaresOnlyUtf8(value)).toBe(false);
  });
});

describe('header and bodyBytes', () => {
  it('looks headers up by their lower-case name', () => {
    const event = apiEvent({ headers: { 'user-agent': 'Example Corp SampleApp/1.0.1' } });
    expect(header(event, 'User-Agent')).toBe('Example Corp SampleApp/1.0.1');
    expect(header(event, 'accept')).toBeUndefined();
  });

  it('decodes a base64 body', () => {
    const event = apiEvent({ body: Buffer.from('{"a":"é"}').toString('base64'), isBase64Encoded: true });
    expect(bodyBytes(event).toString('utf8')).toBe('{"a":"é"}');
  });

  it('measures a text body in UTF-8 bytes', () => {
    expect(bodyBytes(apiEvent({ body: 'éé' }))).toHaveLength(4);
  });

  it('a missing body is empty', () => {
    expect(bodyBytes(apiEvent())).toHaveLength(0);
  });
});
