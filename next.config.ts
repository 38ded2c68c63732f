// Next.js config: the UI imports graph-nodes/ and runtime/compile/ from outside app/.
import type { NextConfig } from 'next';

const config: NextConfig = {
  // `npm run typecheck` checks the whole project strictly; the build need not do it again.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  reactStrictMode: true,
  // Keep server-only heavy packages out of the UI bundles.
  serverExternalPackages: ['@electric-sql/pglite', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu'],
};

export default config;
