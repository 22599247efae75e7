import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run dev:console`: hot reload here, API calls go to the service started with `npm start`.
const api = process.env.API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: {
    port: Number(process.env.CONSOLE_DEV_PORT ?? 5173),
    proxy: { '/v1': { target: api, changeOrigin: false }, '/public': { target: api } },
  },
});
