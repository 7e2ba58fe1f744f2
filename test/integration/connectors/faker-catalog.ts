// Shared by the connector tests: a configured catalog for source-faker and ways to read its output.
import type { AirbyteMessage, ConfiguredAirbyteCatalog, SyncMode } from '../../../src/protocol/messages.js';
import { FAKE_STREAMS, airbyteStream } from '../../../src/connectors/faker/streams.js';

export function fakerCatalog(
  syncMode: SyncMode,
  names = ['users', 'products', 'purchases'],
): ConfiguredAirbyteCatalog {
  return {
    streams: FAKE_STREAMS.filter((s) => names.includes(s.name)).map((s) => ({
      stream: airbyteStream(s),
      sync_mode: syncMode,
      destination_sync_mode: 'append',
    })),
  };
}

export function recordIds(messages: AirbyteMessage[], stream: string): number[] {
  return messages.flatMap((m) =>
    m.type === 'RECORD' && m.record.stream === stream ? [m.record.data.id as number] : [],
  );
}
