import { defineConfig } from 'vite';

// The UI is built into ui/dist, which the webserver serves at / (src/server/ui.ts). In development,
// `npx vite --config ui/vite.config.ts` proxies the API to a server started with `sluice server local`.
export default defineConfig({
  root: import.meta.dirname,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // the editor and the graph are split into chunks of their own; the first page stays small
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      // React Flow marks itself "use client" for server-rendering frameworks; a plain SPA has no use for it
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080', '/health': 'http://127.0.0.1:8080' },
  },
});
