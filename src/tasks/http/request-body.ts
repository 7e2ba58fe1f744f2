import { buffer } from 'node:stream/consumers';
import { STORAGE_SCHEME } from '../../storage/paths.js';
import type { RunContext } from '../types.js';
import type { Props } from '../script/props.js';

export interface RequestBody {
  body?: string | URLSearchParams | FormData;
  /** the content type to send, unless the flow's own headers name one; fetch sets multipart's */
  contentType?: string;
}

/** Kestra's rules: formData wins over body; formData is URL-encoded unless contentType is
 * multipart/form-data; a body is sent as `contentType`, application/json by default (so a map or list
 * body is JSON). */
export async function requestBody(props: Props, ctx: RunContext): Promise<RequestBody> {
  const contentType = typeof props.contentType === 'string' ? props.contentType : undefined;
  const formData = props.formData;
  if (formData !== undefined && formData !== null) {
    if (typeof formData !== 'object' || Array.isArray(formData))
      throw new Error(`property 'formData' must be a map`);
    const fields = Object.entries(formData as Record<string, unknown>);
    if (contentType?.toLowerCase().startsWith('multipart/form-data'))
      return { body: await multipart(fields, ctx) };
    const params = new URLSearchParams();
    for (const [name, value] of fields)
      params.append(name, typeof value === 'string' ? value : JSON.stringify(value));
    return { body: params, contentType: 'application/x-www-form-urlencoded' };
  }
  const body = props.body;
  if (body === undefined || body === null) return contentType ? { contentType } : {};
  return {
    body: typeof body === 'string' ? body : JSON.stringify(body),
    contentType: contentType ?? 'application/json',
  };
}

/** A string that is a sluice URI is sent as a file, `{name, content}` as a file with that name; anything
 * else as a field (JSON unless it is text). Files are read from disk when the storage is local. */
async function multipart(fields: [string, unknown][], ctx: RunContext): Promise<FormData> {
  const form = new FormData();
  for (const [name, value] of fields) {
    if (typeof value === 'string' && value.startsWith(STORAGE_SCHEME)) {
      form.append(name, await storedBlob(value, ctx), value.slice(value.lastIndexOf('/') + 1));
    } else if (isNamedFile(value)) {
      form.append(name, await storedBlob(value.content, ctx), value.name);
    } else {
      form.append(name, typeof value === 'string' ? value : JSON.stringify(value));
    }
  }
  return form;
}

function isNamedFile(value: unknown): value is { name: string; content: string } {
  if (typeof value !== 'object' || value === null) return false;
  const { name, content } = value as Record<string, unknown>;
  return typeof name === 'string' && typeof content === 'string' && content.startsWith(STORAGE_SCHEME);
}

async function storedBlob(uri: string, ctx: RunContext): Promise<Blob> {
  return new Blob([await buffer(await ctx.readFile(uri))]);
}
