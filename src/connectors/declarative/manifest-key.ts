/** Where Airbyte's source-declarative-manifest image takes the manifest in its config. Apart from the
 * runtime so that naming it loads none of it. */
export const INJECTED_MANIFEST = '__injected_declarative_manifest';
