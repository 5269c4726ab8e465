// Child process: runs one autocannon load and prints its figures as one JSON line on stdout.
// Kept out of the benchmarked process so the generator does not share the servers' event loop.
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  headers: Record<string, string>;
  body: string;
}

export interface LoadResult {
  requestsPerSecond: number;
  total: number;
  latency: { p50: number; p90: number; p99: number; average: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  /** CPU milliseconds the generator itself used. */
  cpuMs: number;
  firstFailure?: { status: number; body: string };
}

const options = JSON.parse(process.argv[2] ?? '') as LoadOptions;
let firstFailure: LoadResult['firstFailure'];
const cpuBefore = process.cpuUsage();

const result = await autocannon({
  url: options.url,
  connections: options.connections,
  duration: options.durationSeconds,
  requests: [
    {
      method: 'POST',
      headers: options.headers,
      body: options.body,
      onResponse: (status: number, body: string) => {
        if ((status < 200 || status > 299) && firstFailure === undefined) firstFailure = { status, body };
      },
    },
  ],
});

const cpu = process.cpuUsage(cpuBefore);
const output: LoadResult = {
  requestsPerSecond: result.requests.average,
  total: result.requests.total,
  latency: {
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    average: result.latency.average,
    max: result.latency.max,
  },
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
  cpuMs: (cpu.user + cpu.system) / 1000,
  ...(firstFailure ? { firstFailure } : {}),
};
process.stdout.write(`${JSON.stringify(output)}\n`);
