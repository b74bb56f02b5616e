// The console is served by ninja-orders under /console/ (src/api/static_pages.cpp): asset URLs
// carry that prefix, and hashed names let the server cache them forever.
import { defineConfig } from "vitest/config";

export default defineConfig({
  base: "/console/",
  build: {
    // CMake builds into its own build directory (CONSOLE_OUT_DIR), so two build trees never
    // write the same folder; a plain `npm run build` fills dist/.
    outDir: `${process.env.CONSOLE_OUT_DIR ?? "dist"}/console`,
    emptyOutDir: true,
    assetsDir: "assets",
    // Every browser the console targets has modulepreload; the polyfill is dead weight.
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: false,
  },
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
  },
});
