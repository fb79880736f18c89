import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Live-kernel tests start real processes and compare page counts; running files in
    // parallel would let one file's processes disturb another file's share counts.
    fileParallelism: false,
  },
});
