import type { FastifyReply } from 'fastify';
import { maskSealed } from '../secrets/sealed-inputs.js';

/** Takes the response over as a Server-Sent Events stream. `closed` aborts when the client leaves. */
export function openEventStream(reply: FastifyReply): {
  send: (event: string, data: unknown) => void;
  end: () => void;
  closed: AbortSignal;
} {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  const closed = new AbortController();
  raw.on('close', () => closed.abort());
  return {
    // the stream bypasses serialization, so it masks sealed SECRET inputs itself as every answer does
    send: (event, data) => raw.write(`event: ${event}\ndata: ${JSON.stringify(maskSealed(data))}\n\n`),
    end: () => raw.end(),
    closed: closed.signal,
  };
}
