/**
 * The one route table: method, path and handler of every HTTP entry point, read by both `infra/`
 * (API Gateway routes, Lambda functions and their permissions) and `local/` (the local router), so
 * the cloud and the laptop cannot drift apart. `entry` is relative to the repository root and
 * exports `handler`.
 */

/**
 * The DynamoDB actions a route may be granted. Only single-item actions and Query: each request
 * names its partition key, so the `dynamodb:LeadingKeys` condition that scopes every grant to its
 * key prefixes always applies. (A Scan names no key, and `ForAllValues` passes a request without
 * one.) Conditional writes need nothing beyond their action.
 */
export type TableAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'PutItem'
  | 'BatchWriteItem'
  | 'UpdateItem'
  | 'DeleteItem';

/** Partition-key prefixes of the single table (shared/adapters/dynamodb.ts lists its items). */
export type KeyPrefix = 'TX#' | 'CUSTOMER#' | 'CUSTOMERS' | 'CREDENTIAL#' | 'JOB#' | 'DUE#';

/** Some actions, on the items whose partition key starts with one of `keys`. */
export interface TableGrant {
  actions: readonly TableAction[];
  keys: readonly KeyPrefix[];
  /** On this index of the table rather than the table (its partition key is what `keys` scope). */
  index?: string;
}

export interface Route {
  /** Names the Lambda function; stable, because CloudFormation logical ids derive from it. */
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  entry: string;
  /** Exactly the table calls the handler makes; absent, the function gets neither access nor TABLE_NAME. */
  table?: readonly TableGrant[];
  /** Needs the journey's public hosts (PUBLIC_BASE_URL, PREFIXED_BASE_URL). */
  journeyHosts?: boolean;
  /** What it does with the image bucket (sets BUCKET_NAME): `write` includes signing uploads. */
  images?: ImageAccess;
  /** The queues it sends to (sets QUEUE_URL_<NAME> for each). */
  sends?: readonly QueueName[];
  /** Native packages installed beside its bundle (infra/constructs/function.ts, NATIVE_MODULES). */
  nodeModules?: readonly NativeModuleName[];
  /** Memory (MB), when the default does not fit. */
  memorySize?: number;
  /** Ships the journey's browser bundles beside the handler (the journey page). */
  journeyClient?: boolean;
}

export interface ImageAccess {
  read?: boolean;
  write?: boolean;
  delete?: boolean;
}

export type QueueName = 'verify' | 'callback';

/**
 * Packages with native code or files read at run time (sharp's libvips, tesseract.js's worker script
 * and trained data), which esbuild cannot bundle: they are left out of every bundle, and installed
 * beside the bundle of the functions that use them (infra/constructs/function.ts).
 */
export const NATIVE_MODULES = [
  'sharp',
  'tesseract.js',
  '@tesseract.js-data/eng',
  // The face matcher: human's WASM build, loaded by path, with the tfjs packages it loads itself.
  '@vladmandic/human',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-converter',
  '@tensorflow/tfjs-backend-wasm',
  // PDF417 (North-American licences): its WASM is read from the package at run time.
  'zxing-wasm',
] as const;
export type NativeModuleName = (typeof NATIVE_MODULES)[number];

/** What every journey call needs: its transaction, the images, both queues. */
const JOURNEY_ACCESS = {
  table: [{ actions: ['GetItem', 'UpdateItem'], keys: ['TX#'] }],
  images: { read: true, write: true },
  // A journey ended by its third refusal is reported at once; submission queues nothing itself
  // (the table's stream does: shared/streams.ts).
  sends: ['callback'],
} as const satisfies Pick<Route, 'table' | 'images' | 'sends'>;

export const ROUTES = [
  {
    name: 'initiate',
    method: 'POST',
    path: '/api/v4/initiate',
    entry: 'functions/api/initiate.ts',
    table: [
      // Basic auth: the credential by its token's digest, then its customer (use-cases/authenticate.ts).
      { actions: ['GetItem'], keys: ['CREDENTIAL#', 'CUSTOMER#'] },
      // The new transaction, one conditional put (adapters/transaction-repository.ts).
      { actions: ['PutItem'], keys: ['TX#'] },
    ],
    journeyHosts: true,
  },
  {
    name: 'session',
    method: 'GET',
    path: '/api/v4/session',
    entry: 'functions/api/session.ts',
    // The token check reads its transaction and marks it started (use-cases/open-session.ts).
    table: [{ actions: ['GetItem', 'UpdateItem'], keys: ['TX#'] }],
  },
  {
    name: 'journeyUploads',
    method: 'POST',
    path: '/api/v4/journey/uploads',
    entry: 'functions/api/journey-uploads.ts',
    ...JOURNEY_ACCESS,
  },
  {
    name: 'journeyCaptures',
    method: 'POST',
    path: '/api/v4/journey/captures',
    entry: 'functions/api/journey-captures.ts',
    ...JOURNEY_ACCESS,
    // Decodes and judges the image while the user waits: sharp, and the CPU of more memory.
    nodeModules: ['sharp'],
    memorySize: 1024,
  },
  {
    name: 'journeySubmit',
    method: 'POST',
    path: '/api/v4/journey/submit',
    entry: 'functions/api/journey-submit.ts',
    ...JOURNEY_ACCESS,
  },
  {
    name: 'performNetverify',
    method: 'POST',
    path: '/api/netverify/v2/performNetverify',
    entry: 'functions/api/perform-netverify.ts',
    table: [
      { actions: ['GetItem'], keys: ['CREDENTIAL#', 'CUSTOMER#'] },
      // The new transaction, one conditional put; an upload reference's scan is read first, so
      // that using it twice is a 409 (use-cases/perform-netverify.ts).
      { actions: ['GetItem', 'PutItem'], keys: ['TX#'] },
    ],
    // Stores inline images; reads uploaded ones to check they are there and of their account.
    images: { write: true, read: true },
    sends: ['verify', 'callback'],
  },
  {
    name: 'performNetverifyUploads',
    method: 'POST',
    path: '/api/netverify/v2/performNetverify/uploads',
    entry: 'functions/api/perform-netverify-uploads.ts',
    // Basic auth only, then presigned POSTs for the images.
    table: [{ actions: ['GetItem'], keys: ['CREDENTIAL#', 'CUSTOMER#'] }],
    images: { write: true },
  },
  ...scanRoutes(),
  {
    name: 'openapi',
    method: 'GET',
    path: '/api/v4/openapi.json',
    entry: 'functions/api/openapi.ts',
  },
  {
    name: 'journeyPage',
    method: 'GET',
    path: '/web/v4/app',
    entry: 'functions/web/journey-page.ts',
    journeyClient: true,
    // No access: BUCKET_NAME tells the page where the browser may upload (its CSP).
    images: {},
  },
  {
    name: 'brandingImage',
    method: 'GET',
    path: '/web/v4/branding/{customerId}/{file}',
    entry: 'functions/web/branding-image.ts',
    // Public: the customer's header, success and error images; the key is the path, no table.
    images: { read: true },
  },
] as const satisfies readonly Route[];

/**
 * Netverify's retrieval and delete APIs and the callback log, one function each from one entry
 * (functions/api/scans.ts). Basic auth, then the transaction, its attempts and its images.
 */
function scanRoutes() {
  const base = '/api/netverify/v2/scans/{scanReference}';
  const read = {
    entry: 'functions/api/scans.ts',
    table: [
      { actions: ['GetItem'], keys: ['CREDENTIAL#', 'CUSTOMER#'] },
      { actions: ['GetItem', 'Query'], keys: ['TX#'] },
    ],
    images: { read: true },
    sends: ['callback'],
  } as const satisfies Omit<Route, 'name' | 'method' | 'path'>;
  const erase = {
    ...read,
    table: [...read.table, { actions: ['PutItem'], keys: ['TX#'] }],
    images: { read: true, delete: true },
  } as const satisfies Omit<Route, 'name' | 'method' | 'path'>;
  return [
    { name: 'scanStatus', method: 'GET', path: base, ...read },
    { name: 'scanData', method: 'GET', path: `${base}/data`, ...read },
    { name: 'scanDocument', method: 'GET', path: `${base}/data/document`, ...read },
    { name: 'scanTransaction', method: 'GET', path: `${base}/data/transaction`, ...read },
    { name: 'scanVerification', method: 'GET', path: `${base}/data/verification`, ...read },
    { name: 'scanImages', method: 'GET', path: `${base}/images`, ...read },
    { name: 'scanImage', method: 'GET', path: `${base}/images/{classifier}`, ...read },
    { name: 'scanCallbacks', method: 'GET', path: `${base}/callbacks`, ...read },
    { name: 'scanCallbackReplay', method: 'POST', path: `${base}/callbacks/replay`, ...read },
    { name: 'scanDelete', method: 'DELETE', path: base, ...erase },
  ] as const;
}

/** Netverify's sample request posts to `/api/v4/initiate/`: a trailing slash reaches the same route. */
export function normalisePath(path: string): string {
  return path.replace(/\/+$/, '') || '/';
}
