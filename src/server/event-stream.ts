import type { FastifyReply } from 'fastify';

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
    send: (event, data) => raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
    end: () => raw.end(),
    closed: closed.signal,
  };
}
