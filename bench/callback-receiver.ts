// A loopback callback receiver for bench/callbacks.ts, run as a child process (forked, IPC) so that
// its CPU stays apart from the deliverer's. It answers 200 at once to every callback whose original
// URL (the `x-openverify-original-url` header that OPENVERIFY_CALLBACK_FORWARD_TO adds) is not on the
// hanging host, and never answers those: a receiver that hangs. It checks every signature.
import http from 'node:http';
import type { Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';

export const HANGING_HOST = 'hang.callbacks.example';

export type ReceiverRequest = { type: 'reset' } | { type: 'stats' } | { type: 'release' };

export interface ReceiverStats {
  /** Answered 200, signature checked. */
  delivered: number;
  /** Bad or missing signatures (must stay 0). */
  badSignatures: number;
  /** Requests held open, never answered. */
  hanging: number;
  /** Epoch milliseconds (high resolution) of each answered callback's arrival. */
  arrivals: number[];
  /** Microseconds of CPU this process spent since the last reset. */
  cpuMicros: number;
}

if (import.meta.main) serve();

function serve(): void {
  const secret = process.env.RECEIVER_SECRET ?? '';
  const webhook = new Webhook(secret);
  let stats: ReceiverStats = { delivered: 0, badSignatures: 0, hanging: 0, arrivals: [], cpuMicros: 0 };
  let cpuAtReset = process.cpuUsage();
  const held = new Set<Socket>();

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const original = String(request.headers['x-openverify-original-url'] ?? '');
      if (original.includes(`//${HANGING_HOST}/`)) {
        stats.hanging++;
        held.add(request.socket);
        request.socket.once('close', () => held.delete(request.socket));
        return;
      }
      try {
        webhook.verify(
          Buffer.concat(chunks).toString('utf8'),
          {
            'webhook-id': String(request.headers['webhook-id']),
            'webhook-timestamp': String(request.headers['webhook-timestamp']),
            'webhook-signature': String(request.headers['webhook-signature']),
          },
          { jsonParse: false },
        );
        stats.delivered++;
        stats.arrivals.push(performance.timeOrigin + performance.now());
        response.writeHead(200, { 'content-length': '0' }).end();
      } catch {
        stats.badSignatures++;
        response.writeHead(400, { 'content-length': '0' }).end();
      }
    });
  });
  server.keepAliveTimeout = 5_000;

  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    process.send?.({ type: 'listening', url: `http://127.0.0.1:${port}/callbacks` });
  });

  process.on('message', (message: ReceiverRequest) => {
    if (message.type === 'reset') {
      stats = { delivered: 0, badSignatures: 0, hanging: 0, arrivals: [], cpuMicros: 0 };
      cpuAtReset = process.cpuUsage();
      process.send?.({ type: 'reset' });
    } else if (message.type === 'stats') {
      const cpu = process.cpuUsage(cpuAtReset);
      process.send?.({ type: 'stats', stats: { ...stats, cpuMicros: cpu.user + cpu.system } });
    } else if (message.type === 'release') {
      // Ends the hanging connections: their attempts fail at once instead of at the 15 s timeout.
      for (const socket of held) socket.destroy();
      held.clear();
      process.send?.({ type: 'released' });
    }
  });
  process.on('disconnect', () => process.exit(0));
}
