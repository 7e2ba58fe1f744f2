import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureCliBuilt, lines, runCli } from '../../support/cli.js';

// `sluice flow validate FILE…` (contract): exit 0 when every file is valid; exit 2 with one
// `file:line:col: message` line on stderr per mistake otherwise. Paths are printed as given.

const DIR = 'test/fixtures/cli/validate';
const EXAMPLES = [
  'examples/hello.yaml',
  'examples/parallel-loop.yaml',
  'examples/retry-and-errors.yaml',
  'examples/shell-outputs.yaml',
  'examples/subflow-parent.yaml',
];

const validate = (...files: string[]) => runCli(['flow', 'validate', ...files]);

// Written at run time rather than kept under test/fixtures, so that no file in the repository is
// broken YAML on purpose. The unquoted `Note:` is the mistake.
const INVALID_YAML = `id: broken
namespace: tests.cli
tasks:
  - id: hello
    type: log
    message: Note: a colon needs quotes
`;
let scratch: string;
let invalidYaml: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'sluice-validate-'));
  invalidYaml = path.join(scratch, 'invalid-yaml.yaml');
  await writeFile(invalidYaml, INVALID_YAML);
  await ensureCliBuilt();
}, 120_000);

afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('sluice flow validate', () => {
  test('valid files exit 0 with nothing on stderr', async () => {
    const result = await validate(...EXAMPLES, `${DIR}/valid.yaml`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  test('valid files are each confirmed on stdout by namespace.id', async () => {
    const result = await validate('examples/hello.yaml', `${DIR}/valid.yaml`);
    expect(lines(result.stdout)).toEqual(['valid: examples.hello', 'valid: tests.cli.valid']);
  });

  test('invalid YAML: exit 2 and the position of the offending scalar', async () => {
    const result = await validate(invalidYaml);
    expect(lines(result.stderr)).toEqual([
      `${invalidYaml}:6:14: invalid YAML: Nested mappings are not allowed in compact mappings`,
    ]);
    expect(result.code).toBe(2);
  });

  test('unknown task type: exit 2 and the position of the type value', async () => {
    const result = await validate(`${DIR}/unknown-type.yaml`);
    expect(lines(result.stderr)).toEqual([
      `${DIR}/unknown-type.yaml:5:11: unknown task type 'io.kestra.plugin.core.log.Shout'`,
    ]);
    expect(result.code).toBe(2);
  });

  test('duplicate task ids, also across nesting levels: exit 2 pointing at the second one', async () => {
    const result = await validate(`${DIR}/duplicate-ids.yaml`);
    expect(lines(result.stderr)).toEqual([
      `${DIR}/duplicate-ids.yaml:10:13: duplicate task id 'step' (first defined at line 4)`,
    ]);
    expect(result.code).toBe(2);
  });

  test('bad expression: exit 2 and the column inside the template', async () => {
    const result = await validate(`${DIR}/bad-expression.yaml`);
    expect(lines(result.stderr)).toEqual([
      `${DIR}/bad-expression.yaml:6:38: invalid expression: expected a name but found \`}}\``,
    ]);
    expect(result.code).toBe(2);
  });

  test('unknown filters, tests and functions: exit 2 at their position, with the close known name', async () => {
    const result = await validate(`${DIR}/unknown-names.yaml`);
    expect(lines(result.stderr)).toEqual([
      `${DIR}/unknown-names.yaml:6:38: invalid expression: unknown filter \`uper\` (did you mean \`upper\`?)`,
      `${DIR}/unknown-names.yaml:9:17: invalid expression: unknown function \`nowz\` (did you mean \`now\`?)`,
      `${DIR}/unknown-names.yaml:9:68: invalid expression: unknown function \`upper\`: \`upper\` is a filter, write value | upper`,
      `${DIR}/unknown-names.yaml:13:36: invalid expression: unknown test \`evn\` (did you mean \`even\`?)`,
      `${DIR}/unknown-names.yaml:19:12: invalid expression: unknown function \`secrets\` (did you mean \`secret\`?)`,
    ]);
    expect(result.code).toBe(2);
  });

  test('several errors in one file are all reported at once, in file order', async () => {
    const result = await validate(`${DIR}/several-errors.yaml`);
    expect(lines(result.stderr)).toEqual([
      `${DIR}/several-errors.yaml:6:15: invalid expression: empty expression in \`{{ }}\``,
      `${DIR}/several-errors.yaml:8:11: unknown task type 'no.such.Task'`,
      `${DIR}/several-errors.yaml:9:9: duplicate task id 'first' (first defined at line 4)`,
    ]);
    expect(result.code).toBe(2);
  });

  test('several files at once: every file’s errors, in the order the files were given', async () => {
    const result = await validate(
      `${DIR}/unknown-type.yaml`,
      `${DIR}/valid.yaml`,
      `${DIR}/bad-expression.yaml`,
    );
    expect(lines(result.stderr)).toEqual([
      `${DIR}/unknown-type.yaml:5:11: unknown task type 'io.kestra.plugin.core.log.Shout'`,
      `${DIR}/bad-expression.yaml:6:38: invalid expression: expected a name but found \`}}\``,
    ]);
  });

  test('one invalid file among valid ones makes the exit code 2', async () => {
    const result = await validate('examples/hello.yaml', `${DIR}/unknown-type.yaml`, `${DIR}/valid.yaml`);
    expect(result.code).toBe(2);
  });

  test('a missing file: exit 2 with a file:1:1 line saying it cannot be read', async () => {
    const result = await validate(`${DIR}/no-such-file.yaml`);
    expect(lines(result.stderr)).toEqual([
      expect.stringMatching(new RegExp(`^${DIR}/no-such-file\\.yaml:1:1: cannot read file: ENOENT`)),
    ]);
    expect(result.code).toBe(2);
  });

  test('no file at all is a usage error: exit 2 naming the missing argument', async () => {
    const result = await validate();
    expect(result.stderr).toContain("missing required argument 'files'");
    expect(result.code).toBe(2);
  });

  test('--help prints the usage on stdout and exits 0', async () => {
    const result = await validate('--help');
    expect(result.stdout).toContain('Usage: sluice flow validate [options] <files...>');
    expect(result.code).toBe(0);
  });
});
