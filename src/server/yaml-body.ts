import type { FastifyInstance } from 'fastify';

// Flow sources travel as YAML text under their usual content types.

export const YAML_ONLY = 'send the flow as YAML (Content-Type: application/x-yaml)';

const YAML_TYPES = ['application/x-yaml', 'application/yaml', 'text/yaml', 'text/plain'];

/** Routes whose body is a flow's YAML: a refused content type gets YAML_ONLY as its message. */
export const YAML_ROUTES = new Set([
  '/api/v1/flows',
  '/api/v1/flows/validate',
  '/api/v1/flows/:namespace/:id',
]);

/** The request body schema of those routes. */
export const yamlBody = {
  description: 'the flow, in YAML',
  content: Object.fromEntries(YAML_TYPES.map((type) => [type, { schema: { type: 'string' } }])),
};

export function acceptYaml(app: FastifyInstance): void {
  app.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_req, body, done) => done(null, body));
}
