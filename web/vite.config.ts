import { defineConfig } from 'vite';

// The server (Parley.Server) serves the built files from web/dist; `npm run dev` proxies the API and the
// socket to a server on :8080 so the client can be worked on with hot reload.
export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, target: 'es2022', assetsDir: 'assets' },
  server: {
    proxy: {
      '/api': 'http://localhost:8080',
      '/ws': { target: 'ws://localhost:8080', ws: true },
    },
  },
});
