import { defineConfig } from 'vitest/config';

// Unit tests of the client's pure modules (`npm run test:unit`): *.test.ts beside the code under src/. The browser
// tests are Playwright's, in e2e/ (`npm run test:e2e`).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
