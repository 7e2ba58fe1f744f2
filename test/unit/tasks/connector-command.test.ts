import { describe, expect, test } from 'vitest';
import { builtInOf, namedCommand } from '../../../src/tasks/sync/connector-command.js';

describe('built-in connector commands', () => {
  test('the command of a built-in name is recognised as that built-in', async () => {
    const command = await namedCommand('source', 'postgres', undefined);
    expect(builtInOf(command)?.name).toBe('source-postgres');
  });

  test('any other command is not a built-in, even one naming a built-in', () => {
    expect(builtInOf(['node', 'my-connector.mjs', 'connector', 'source-postgres'])).toBeUndefined();
  });
});
