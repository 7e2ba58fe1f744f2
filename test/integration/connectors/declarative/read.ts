// Runs a manifest's read in process and collects what it emits.
import { readInProcess } from '../../../../src/cdk/run.js';
import { MessageOutput } from '../../../../src/cdk/output.js';
import { manifestSource } from '../../../../src/connectors/declarative/source.js';
import type { AirbyteMessage, JsonObject } from '../../../../src/protocol/messages.js';

export class Collected extends MessageOutput {
  readonly recordList: { stream: string; data: JsonObject }[] = [];
  readonly stateList: JsonObject[] = [];
  readonly errors: { failure_type?: string; message: string }[] = [];
  /** configurations the source replaced (CONTROL) */
  readonly configs: JsonObject[] = [];

  message(m: AirbyteMessage) {
    const open = m as {
      type: string;
      state?: { stream?: { stream_state: JsonObject } };
      trace?: { error?: { failure_type?: string; message: string } };
    };
    if (open.type === 'STATE' && open.state?.stream) this.stateList.push(open.state.stream.stream_state);
    if (open.type === 'TRACE' && open.trace?.error) this.errors.push(open.trace.error);
    if (m.type === 'CONTROL' && m.control.connectorConfig)
      this.configs.push(m.control.connectorConfig.config);
  }
  recordJson(stream: string, data: string | Uint8Array) {
    this.recordList.push({ stream, data: JSON.parse(String(data)) as JsonObject });
  }
  async flush() {}
  records(stream?: string): JsonObject[] {
    return this.recordList.filter((r) => !stream || r.stream === stream).map((r) => r.data);
  }
  states(): JsonObject[] {
    return this.stateList;
  }
  error() {
    return this.errors[0];
  }
}

export async function read(
  manifest: string,
  config: JsonObject,
  streams: { name: string; incremental?: boolean }[],
  state?: unknown,
): Promise<{ code: number; out: Collected }> {
  const out = new Collected();
  const catalog = {
    streams: streams.map((s) => ({
      stream: { name: s.name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
      sync_mode: s.incremental ? 'incremental' : 'full_refresh',
      destination_sync_mode: s.incremental ? 'append' : 'overwrite',
    })),
  };
  const code = await readInProcess(manifestSource(manifest), config, catalog as never, state, out);
  return { code, out };
}
