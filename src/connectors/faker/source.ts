// source-faker: generated users, products and purchases, the same for the same seed, fast enough to
// measure the platform rather than the source.
import type { Source } from '../../cdk/connector.js';
import { ConfigError } from '../../cdk/errors.js';
import { fakerSpec, type FakerConfig } from './spec.js';
import { FAKE_STREAMS, airbyteStream, firstIdAfter, updatedAt } from './streams.js';

export const fakerSource: Source<FakerConfig> = {
  spec: () => fakerSpec,

  async check() {
    // nothing to reach: a configuration the spec accepts works
    return { status: 'SUCCEEDED' };
  },

  async discover() {
    return { streams: FAKE_STREAMS.map(airbyteStream) };
  },

  async read(config, catalog, state, out) {
    const seed = config.seed === -1 ? Math.floor(Math.random() * 2 ** 31) : config.seed;
    for (const configured of catalog.streams) {
      const stream = FAKE_STREAMS.find((s) => s.name === configured.stream.name);
      if (!stream) throw new ConfigError(`source-faker has no stream ${configured.stream.name}`);
      const descriptor = { name: stream.name };
      const cursor =
        configured.sync_mode === 'incremental' ? state.stream(descriptor)?.updated_at : undefined;
      const first = typeof cursor === 'string' ? firstIdAfter(cursor) : 1;
      let sinceCheckpoint = 0;
      for (let id = first; id <= config.count; id++) {
        const pending = out.recordJson(stream.name, stream.json(seed, id, config.count));
        if (pending) await pending;
        if (++sinceCheckpoint === config.records_per_slice) {
          await out.streamState(descriptor, { updated_at: updatedAt(id) }, { recordCount: sinceCheckpoint });
          sinceCheckpoint = 0;
        }
      }
      // a read with nothing new still checkpoints, so the state stays where it was
      if (sinceCheckpoint > 0 || first > config.count) {
        const last = Math.max(first - 1, config.count);
        await out.streamState(descriptor, { updated_at: updatedAt(last) }, { recordCount: sinceCheckpoint });
      }
    }
  },
};
