import { describe, expect, it } from 'vitest';
import { normalisePath, ROUTES } from '#shared/routes';

describe('normalisePath', () => {
  it.each([
    ['/api/v4/initiate/', '/api/v4/initiate'],
    ['/api/v4/initiate//', '/api/v4/initiate'],
    ['/api/v4/initiate', '/api/v4/initiate'],
    ['/web/v4/app/', '/web/v4/app'],
    ['/', '/'],
    ['', '/'],
    ['//', '/'],
  ])('%j → %j', (path, normalised) => {
    expect(normalisePath(path)).toBe(normalised);
  });

  it("the seed's sample path reaches the initiate route", () => {
    const path = normalisePath(new URL('https://netverify.com/api/v4/initiate/').pathname);
    expect(ROUTES.find((route) => route.path === path)?.name).toBe('initiate');
  });
});

describe('ROUTES', () => {
  it('has POST /api/v4/initiate with journey-host access and only the table calls it makes', () => {
    expect(ROUTES.find((route) => route.name === 'initiate')).toMatchObject({
      method: 'POST',
      path: '/api/v4/initiate',
      table: [
        { actions: ['GetItem'], keys: ['CREDENTIAL#', 'CUSTOMER#'] },
        { actions: ['PutItem'], keys: ['TX#'] },
      ],
      journeyHosts: true,
    });
  });

  it('has the session check, the OpenAPI document and the journey page', () => {
    expect(ROUTES.map((route) => `${route.method} ${route.path}`)).toEqual(
      expect.arrayContaining(['GET /api/v4/session', 'GET /api/v4/openapi.json', 'GET /web/v4/app']),
    );
  });

  it('names and method+path pairs are unique; every path is already normalised', () => {
    expect(new Set(ROUTES.map((route) => route.name)).size).toBe(ROUTES.length);
    expect(new Set(ROUTES.map((route) => `${route.method} ${route.path}`)).size).toBe(ROUTES.length);
    for (const route of ROUTES) expect(normalisePath(route.path)).toBe(route.path);
  });

  it('every entry is a TypeScript file under functions/', () => {
    for (const route of ROUTES) expect(route.entry).toMatch(/^functions\/.+\.ts$/);
  });
});
