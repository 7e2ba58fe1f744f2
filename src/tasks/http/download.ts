import { booleanProp } from '../script/props.js';
import { ResultFile } from '../storage/files.js';
import type { RunnableTask } from '../types.js';
import { openExchange, PROPS } from './request.js';
import { responseHeaders } from './response.js';

export const HTTP_DOWNLOAD_TYPE = 'io.kestra.plugin.core.http.Download';

/** io.kestra.plugin.core.http.Download: streams a response body into a stored file. Outputs `uri`,
 * `code`, `length` (bytes) and `headers`. The file is named after the Content-Disposition filename
 * when the server gives one, and keeps the extension of the URL's last segment otherwise. An empty
 * body fails the task unless `failOnEmptyResponse: false` (or `allowFailed`); a body shorter or
 * longer than its Content-Length fails it. */
export const httpDownload: RunnableTask = {
  async run(task, ctx) {
    const exchange = await openExchange(task, ctx, [...PROPS, 'failOnEmptyResponse']);
    const { response, uri } = exchange;
    const failOnEmpty = booleanProp(
      { failOnEmptyResponse: await ctx.render(task.failOnEmptyResponse) },
      'failOnEmptyResponse',
      true,
    );
    const file = await ResultFile.create(ctx, extensionOfUrl(uri));
    let length = 0;
    try {
      if (exchange.failedButAllowed) {
        // as Kestra: the refused response's headers and declared length, not its body
        await response.body?.cancel();
        length = Number(response.headers.get('content-length') ?? 0);
      } else if (response.body) {
        exchange.watchIdle();
        const reader = response.body.getReader();
        for (;;) {
          const { done, value } = await reader.read().catch((error: unknown) => {
            throw exchange.deadline.explain(error, exchange.target);
          });
          if (done) break;
          await file.write(value);
          length += value.byteLength;
          exchange.watchIdle();
        }
        const declared = response.headers.get('content-length');
        // fetch hands over a decoded body: a compressed one is not its declared length
        if (declared !== null && !response.headers.has('content-encoding') && Number(declared) !== length) {
          throw new Error(`Invalid size, got ${length}, expected ${declared}`);
        }
      }
    } finally {
      exchange.deadline.dispose();
    }
    const allowFailed = exchange.failedButAllowed;
    if (length === 0) {
      if (failOnEmpty && !allowFailed) throw new Error('No response from server');
      ctx.logger.warn(`File '${uri}' is empty`);
    }
    const name = filenameFromHeader(response.headers.get('content-disposition'));
    const stored = await file.store(ctx, name);
    ctx.logger.debug(`File '${uri}' downloaded to '${stored}'`);
    return {
      outputs: { uri: stored, code: response.status, length, headers: responseHeaders(response.headers) },
    };
  },
};

/** `.csv` of `https://host/data/report.csv?x=1`, `.tar.gz` of `…/a.tar.gz` (from the first dot, as
 * Kestra takes it), `.tmp` when the last segment has none. */
function extensionOfUrl(uri: string): string {
  const segment = new URL(uri).pathname.split('/').pop() ?? '';
  const dot = segment.indexOf('.');
  return dot >= 0 && dot < segment.length - 1 ? segment.slice(dot) : '.tmp';
}

/** The file name a Content-Disposition header gives (`filename*=UTF-8''…` preferred), reduced to its
 * last path segment so that a server can never name a file outside the task's own folder. */
export function filenameFromHeader(header: string | null): string | undefined {
  if (!header) return undefined;
  let name: string | undefined;
  for (const part of header.split(';').map((p) => p.trim())) {
    const extended = /^filename\*\s*=\s*[^']*'[^']*'(.+)$/i.exec(part);
    if (extended) {
      try {
        name = decodeURIComponent(extended[1].replace(/^"|"$/g, ''));
      } catch {
        continue;
      }
      break;
    }
    const plain = /^filename\s*=\s*(.+)$/i.exec(part);
    if (plain) name = plain[1].replace(/^"|"$/g, '');
  }
  const last = name?.split(/[/\\]/).pop()?.trim();
  return last && last !== '.' && last !== '..' ? last : undefined;
}
