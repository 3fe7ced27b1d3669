import { defineConfig } from '@playwright/test';

// End-to-end tests in Debian's Chromium (no browser download): the real server (the Release build) is started
// by e2e/global-setup.ts on a free port with a fresh SQLite data directory. Screenshots for docs/ are taken by
// e2e/screenshots.spec.ts, only when PARLEY_SCREENSHOTS=1.
const screenshots = process.env.PARLEY_SCREENSHOTS === '1';

export default defineConfig({
  testDir: './e2e',
  testMatch: screenshots ? /screenshots\.spec\.ts/ : /\.spec\.ts/,
  testIgnore: screenshots ? [] : [/screenshots\.spec\.ts/],
  globalSetup: './e2e/global-setup.ts',
  globalTeardown: './e2e/global-teardown.ts',
  // A failure detector, not a speed check: video calls in Chromium on a busy 2-core machine take their time.
  timeout: 180_000,
  expect: { timeout: 15_000 },
  workers: 2,
  fullyParallel: false,
  retries: 0,
  reporter: process.env.CI ? [['line'], ['json', { outputFile: process.env.PARLEY_E2E_JSON ?? 'test-results/e2e.json' }]] : [['list'], ['json', { outputFile: process.env.PARLEY_E2E_JSON ?? 'test-results/e2e.json' }]],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1100, height: 760 },
    actionTimeout: 15_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required'],
    },
    permissions: ['camera', 'microphone'],
  },
});
