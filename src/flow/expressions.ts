// The flow loader's one door to the template engine: values read from YAML are of any type, so the
// template test takes any value.
import { isTemplate as isTemplateText } from '../expression/index.js';

export { checkTemplate, ExpressionError } from '../expression/index.js';

export function isTemplate(value: unknown): value is string {
  return typeof value === 'string' && isTemplateText(value);
}
