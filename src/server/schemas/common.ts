// JSON Schema pieces shared by the routes. Fastify validates requests and serialises responses with
// them, and @fastify/swagger turns them into the OpenAPI document, so one definition serves all three.

export type JsonSchema = Record<string, unknown>;

/** Every error answer: a sentence, and the particulars (field paths, flow line:col) when there are. */
export const ApiError = {
  $id: 'ApiError',
  type: 'object',
  description: 'An error: what went wrong, and where when the request had several parts at fault',
  properties: {
    message: { type: 'string' },
    details: {
      type: 'array',
      items: {
        type: 'object',
        description:
          'One problem: `path` names the request field (`body.start`, `query.size`), `line`/`column` a place in a flow',
        properties: {
          path: { type: 'string' },
          message: { type: 'string' },
          line: { type: 'integer' },
          column: { type: 'integer' },
          text: { type: 'string', description: '`file:line:col: message`' },
        },
        required: ['message'],
        additionalProperties: true,
      },
    },
  },
  required: ['message', 'details'],
  additionalProperties: true,
} as const;

const WHY: Record<number, string> = {
  400: 'The request is malformed: each field at fault is named in details',
  403: 'The file does not belong to this execution',
  404: 'Not found',
  409: 'Conflicts with the current state',
  413: 'The body or an uploaded file is larger than the server accepts',
  415: 'Unsupported content type',
  422: 'Well-formed but invalid (a flow with line:col, inputs that do not fit their declaration)',
  503: 'A part of the server this route needs is not available',
};

/** Response entries for the error statuses a route can answer, all in the ApiError shape. */
export function errors<S extends number>(...statuses: S[]): Record<S, JsonSchema> {
  const responses = {} as Record<S, JsonSchema>;
  for (const status of statuses) responses[status] = { description: WHY[status], $ref: 'ApiError#' };
  return responses;
}

/** A successful answer that is not JSON (text, a file, an event stream). */
export const media = (description: string, type: string, schema: JsonSchema = { type: 'string' }) => ({
  description,
  content: { [type]: { schema } },
});

export const object = (properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema => ({
  type: 'object',
  properties,
  ...(required.length > 0 && { required }),
});

export const text = (description: string): JsonSchema => ({ type: 'string', description });

/** `page` and `size` query parameters. A size above the maximum is reduced to it, so that a client
 * asking for "everything" gets the largest page rather than an error. */
export function paging(defaultSize: number, maxSize: number): Record<string, JsonSchema> {
  return {
    page: { type: 'integer', minimum: 1, default: 1, description: 'page number, from 1' },
    size: {
      type: 'integer',
      minimum: 1,
      default: defaultSize,
      description: `items per page, at most ${maxSize} (larger values are reduced to ${maxSize})`,
    },
  };
}

export const pageOf = (size: number, maxSize: number) => Math.min(size, maxSize);

/** A list query parameter: `?state=A&state=B` (a single value is a list of one). */
export const list = (items: JsonSchema, description: string): JsonSchema => ({
  type: 'array',
  items,
  description,
});

export const dateTime = (description: string): JsonSchema => ({
  type: 'string',
  format: 'date-time',
  description,
});
