import type { FastifyInstance } from 'fastify';

// Flow sources travel as YAML text under their usual content types, or as JSON, which is YAML too.
// Never as text/plain: a page of another origin may send that without asking (a CORS-safelisted
// type), and the content type is one more thing it cannot fake.

export const YAML_ONLY =
  'send the flow as YAML (Content-Type: application/x-yaml) or JSON (application/json)';

const YAML_TYPES = ['application/x-yaml', 'application/yaml', 'text/yaml'];

/** Routes whose body is a flow's YAML: a refused content type gets YAML_ONLY as its message. */
export const YAML_ROUTES = new Set([
  '/api/v1/flows',
  '/api/v1/flows/validate',
  '/api/v1/flows/:namespace/:id',
]);

/** The request body schema of those routes. */
export const yamlBody = {
  description: 'the flow, in YAML (or JSON)',
  content: {
    ...Object.fromEntries(YAML_TYPES.map((type) => [type, { schema: { type: 'string' } }])),
    'application/json': { schema: { description: 'the flow as a JSON object: the same fields as in YAML' } },
  },
};

export function acceptYaml(app: FastifyInstance): void {
  app.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_req, body, done) => done(null, body));
}

/** In the scope of the flow routes, a JSON body stays text for the YAML loader, which then reports
 * mistakes (duplicate keys included) with their lines as it does for YAML; text/plain is refused. */
export function acceptJsonFlowText(scope: FastifyInstance): void {
  scope.removeContentTypeParser(['application/json', 'text/plain']);
  scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) =>
    done(null, body),
  );
}
