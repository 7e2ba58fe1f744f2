// The HTTP request task.
import { z } from 'zod';
import { isTemplate } from '../../flow/expressions.js';
import { boolOrExpression, duration, expecting, looseMap, stringMap, text } from '../../flow/schemas.js';
import { runnable } from './define.js';

/** Any HTTP method token (GET, POST, PROPFIND…), written in any case, or an expression. */
const METHOD = /^[A-Za-z]+$/;
const method = () =>
  z
    .string()
    .refine((m) => METHOD.test(m) || isTemplate(m), expecting('an HTTP method such as GET or POST'))
    .transform((m) => (METHOD.test(m) ? m.toUpperCase() : m));

const options = () =>
  z.looseObject({
    connectTimeout: duration().optional(),
    readTimeout: duration().optional(),
    connectionPoolIdleTimeout: duration().optional(),
    followRedirects: boolOrExpression().optional(),
    allowFailed: boolOrExpression().optional(),
    allowedResponseCodes: z.array(z.int()).optional(),
  });

export const httpTasks = [
  runnable({
    type: 'io.kestra.plugin.core.http.Request',
    olderNames: ['io.kestra.plugin.fs.http.Request'],
    shortName: 'http',
    description: 'Sends an HTTP request; outputs the status code, headers and body.',
    properties: z.strictObject(requestProperties()),
  }),
  runnable({
    type: 'io.kestra.plugin.core.http.Download',
    olderNames: ['io.kestra.plugin.fs.http.Download'],
    shortName: 'download',
    description: 'Downloads a URL into a stored file; outputs its URI, status code, length and headers.',
    properties: z.strictObject({
      ...requestProperties(),
      failOnEmptyResponse: boolOrExpression().optional(),
    }),
  }),
];

function requestProperties() {
  return {
    uri: text(),
    method: method().default('GET'),
    headers: stringMap().optional(),
    body: z.union([text(), looseMap()], expecting('a string or a map')).optional(),
    contentType: text().optional(),
    formData: looseMap().optional(),
    options: options().optional(),
    allowFailed: boolOrExpression().optional(),
    encryptBody: z.boolean().optional(),
    sslOptions: looseMap().optional(),
    auth: looseMap().optional(),
  };
}
