// The `ssl_mode` field of the SQL connectors' specs, in Airbyte's shape: a oneOf of objects keyed by
// `mode`, the modes that verify the server carrying the certificates (secrets, multi-line PEM).
import type { JsonObject } from '../../protocol/messages.js';

export interface SslModeChoice {
  mode: string;
  description: string;
  /** the mode checks the server's certificate, so it needs a CA and may take client certificates */
  verifies: boolean;
}

const certificate = (title: string, order: number): JsonObject => ({
  title,
  type: 'string',
  airbyte_secret: true,
  multiline: true,
  order,
});

export function sslModeSpec(
  description: string,
  modes: readonly SslModeChoice[],
  fallback?: string,
): JsonObject {
  return {
    title: 'SSL modes',
    description,
    type: 'object',
    order: 7,
    ...(fallback !== undefined && { default: { mode: fallback } }),
    oneOf: modes.map(({ mode, description: what, verifies }) => ({
      title: mode,
      description: what,
      type: 'object',
      required: verifies ? ['mode', 'ca_certificate'] : ['mode'],
      additionalProperties: true,
      properties: {
        mode: { type: 'string', const: mode, order: 0 },
        ...(verifies
          ? {
              ca_certificate: certificate('CA certificate', 1),
              client_certificate: certificate('Client certificate', 2),
              client_key: certificate('Client key', 3),
              client_key_password: { ...certificate('Client key password', 4), multiline: false },
            }
          : {}),
      },
    })),
  };
}
