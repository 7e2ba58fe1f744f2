// The worker's view of stored sources, destinations and connector definitions, for sync tasks that
// name them by reference: configurations come back with their secrets decrypted, only here.
import { getActor, getDefinition } from '../db/actor-repository.js';
import type { Queryable } from '../db/database.js';
import type { SecretCipher } from '../secrets/cipher.js';
import { decryptSecretFields } from '../secrets/connector-secrets.js';
import { namedCommand } from '../tasks/sync/connector-command.js';
import { withRegisteredManifest } from './manifest-definitions.js';
import type { JsonObject } from '../protocol/messages.js';
import type { ConnectorResolver } from '../tasks/sync/state-store.js';

export function createConnectorResolver(db: Queryable, cipher: SecretCipher): ConnectorResolver {
  const resolver: ConnectorResolver = {
    async actor(side, id) {
      const actor = await getActor(db, side, id);
      if (!actor) return undefined;
      return {
        command: await namedCommand(side, actor.connector, resolver),
        config: await withRegisteredManifest(
          db,
          side,
          actor.connector,
          decryptSecretFields(actor.spec, actor.configuration, cipher) as JsonObject,
        ),
      };
    },
    async definition(side, name) {
      const def = await getDefinition(db, name);
      return def && def.kind === side ? def.command : undefined;
    },
  };
  return resolver;
}
