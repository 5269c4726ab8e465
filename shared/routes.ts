/**
 * The one route table: method, path and handler of every HTTP entry point, read by both `infra/`
 * (API Gateway routes and Lambda functions) and `local/` (the local router), so the cloud and the
 * laptop cannot drift apart. `entry` is relative to the repository root and exports `handler`.
 */

export type TableAccess = 'none' | 'read' | 'readwrite';

export interface Route {
  /** Names the Lambda function; stable, because CloudFormation logical ids derive from it. */
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  entry: string;
  table: TableAccess;
  /** Needs the journey's public hosts (PUBLIC_BASE_URL, PREFIXED_BASE_URL). */
  journeyHosts?: boolean;
}

export const ROUTES = [
  {
    name: 'initiate',
    method: 'POST',
    path: '/api/v4/initiate',
    entry: 'functions/api/initiate.ts',
    table: 'readwrite',
    journeyHosts: true,
  },
  {
    name: 'session',
    method: 'GET',
    path: '/api/v4/session',
    entry: 'functions/api/session.ts',
    table: 'readwrite',
  },
  {
    name: 'openapi',
    method: 'GET',
    path: '/api/v4/openapi.json',
    entry: 'functions/api/openapi.ts',
    table: 'none',
  },
  {
    name: 'journeyPage',
    method: 'GET',
    path: '/web/v4/app',
    entry: 'functions/web/journey-page.ts',
    table: 'none',
  },
] as const satisfies readonly Route[];

/** Netverify's sample request posts to `/api/v4/initiate/`: a trailing slash reaches the same route. */
export function normalisePath(path: string): string {
  return path.replace(/\/+$/, '') || '/';
}
