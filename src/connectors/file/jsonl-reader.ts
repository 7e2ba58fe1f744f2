// JSON Lines files as records: each non-blank line one JSON object, passed on as the text it is.
import { createReadStream } from 'node:fs';
import { ConfigError, ConnectorError } from '../../cdk/errors.js';
import { DEFAULT_MAX_LINE_BYTES, LineTooLongError, splitLines } from '../../protocol/codec.js';
import type { JsonObject } from '../../protocol/messages.js';
import { type MatchedFile, fileReadError } from './files.js';
import {
  type FormatReader,
  SOURCE_FILE_FIELDS,
  sourceFileFields,
  sourceFileMembers,
} from './format-reader.js';
import { SchemaSampler } from './schema-inference.js';

interface Line {
  /** the object's JSON text, trimmed */
  text: string;
  value: JsonObject;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

async function* objects(file: MatchedFile): AsyncGenerator<Line> {
  let line = 0;
  try {
    const stream = createReadStream(file.path, { highWaterMark: 1024 * 1024 });
    for await (const raw of splitLines(stream)) {
      line++;
      let text: string;
      try {
        // a BOM at the start of a decode is dropped, which is where a file's own one is
        text = utf8.decode(raw).trim();
      } catch {
        throw new ConfigError(`${file.path}:${line}: bytes that are not UTF-8`);
      }
      if (text === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw new ConfigError(`${file.path}:${line}: not valid JSON: ${(error as Error).message}`);
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
        throw new ConfigError(
          `${file.path}:${line}: a record must be a JSON object, this line holds ${kind}`,
        );
      }
      yield { text, value: value as JsonObject };
    }
  } catch (error) {
    if (error instanceof LineTooLongError) {
      throw new ConfigError(`${file.path}:${line + 1}: a line longer than ${DEFAULT_MAX_LINE_BYTES} bytes`);
    }
    throw error instanceof ConnectorError ? error : fileReadError(file.path, error);
  }
}

export const jsonlReader: FormatReader = {
  async sample(files, limit) {
    const sampler = new SchemaSampler();
    let seen = 0;
    for (const file of files) {
      for await (const { value } of objects(file)) {
        sampler.add(value);
        if (++seen === limit) return sampler.properties();
      }
    }
    return sampler.properties();
  },

  async read(file, _properties, context) {
    const members = sourceFileMembers(file);
    let count = 0;
    for await (const { text, value } of objects(file)) {
      // the line's own text is passed on, the source-file fields spliced in front of its members
      let json: string;
      if (SOURCE_FILE_FIELDS.some((field) => Object.hasOwn(value, field))) {
        json = JSON.stringify({ ...value, ...sourceFileFields(file) });
      } else {
        json = /^\{\s*\}$/.test(text) ? `{${members}}` : `{${members},${text.slice(1)}`;
      }
      const pending = context.emit(json);
      if (pending) await pending;
      count++;
    }
    return count;
  },
};
