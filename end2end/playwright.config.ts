import { defineConfig, devices } from "@playwright/test";
import * as path from "node:path";

// The server under test: the binary and site that `cargo leptos build` produced, in demo mode, on
// a fresh SQLite database in a throw-away data directory — or, when AUTHLINK_E2E_POSTGRES_URL
// names a PostgreSQL server, on a fresh database `authlink_e2e` there (recreated with psql).
const port = Number(process.env.AUTHLINK_E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
const root = path.resolve(__dirname, "..");
const binary = process.env.AUTHLINK_E2E_BINARY ?? path.join(root, "target/debug/authlink");
const siteRoot = process.env.AUTHLINK_E2E_SITE_ROOT ?? path.join(root, "target/site");
const dataDir = path.join(__dirname, ".data");
const oauthPort = Number(process.env.AUTHLINK_E2E_OAUTH_PORT ?? 3200);
const simulatorPort = Number(process.env.AUTHLINK_E2E_SIMULATOR_PORT ?? 3300);
const ssoPort = Number(process.env.AUTHLINK_E2E_SSO_PORT ?? 3400);
const postgresAdmin = process.env.AUTHLINK_E2E_POSTGRES_URL;
const e2eDatabase = "authlink_e2e";
const database = postgresAdmin
  ? (() => {
      const url = new URL(postgresAdmin);
      url.pathname = `/${e2eDatabase}`;
      return url.toString();
    })()
  : undefined;
const resetDatabase = postgresAdmin
  ? `psql "${postgresAdmin}" -v ON_ERROR_STOP=1 -qc 'DROP DATABASE IF EXISTS ${e2eDatabase} WITH (FORCE)' -qc 'CREATE DATABASE ${e2eDatabase}' && `
  : "";

// Debian's Chromium; Playwright never downloads a browser here.
const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
};

export default defineConfig({
  testDir: "./tests",
  // One server, one database: the journeys build on each other's state, so run them in order.
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [["list"]],
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: chromium,
  },
  projects: [
    {
      // First visit and owner setup must see a fresh server, before any other spec signs in.
      name: "foundation",
      use: { ...devices["Desktop Chrome"], launchOptions: chromium },
      testMatch: /foundation\.spec\.ts/,
    },
    {
      name: "desktop",
      dependencies: ["foundation"],
      use: { ...devices["Desktop Chrome"], launchOptions: chromium },
      testIgnore: /(responsive|foundation|accessibility)\.spec\.ts/,
    },
    {
      name: "phone",
      dependencies: ["desktop"],
      use: { ...devices["Pixel 7"], launchOptions: chromium },
      testMatch: /responsive\.spec\.ts/,
    },
    {
      // Last: axe-core on every page, once the other specs have filled them.
      name: "accessibility",
      dependencies: ["phone"],
      use: { ...devices["Desktop Chrome"], launchOptions: chromium },
      testMatch: /accessibility\.spec\.ts/,
    },
  ],
  webServer: [
    {
      // An independent OAuth2 authorization server the OAuth connector is pointed at.
      command: "node mock-oauth.mjs",
      url: `http://127.0.0.1:${oauthPort}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: "pipe",
      stderr: "pipe",
      env: { AUTHLINK_E2E_OAUTH_PORT: String(oauthPort) },
    },
    {
      // Real catalog entries run against it: every provider host but loopback goes there.
      command: "node provider-simulator.mjs",
      url: `http://127.0.0.1:${simulatorPort}/healthz`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: "pipe",
      stderr: "pipe",
      env: { AUTHLINK_E2E_SIMULATOR_PORT: String(simulatorPort) },
    },
    {
      // An independent OpenID Connect provider (oidc-provider) for single sign-on.
      command: `node oidc-provider.mjs ${ssoPort}`,
      url: `http://127.0.0.1:${ssoPort}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: "pipe",
      stderr: "pipe",
      env: { AUTHLINK_SSO_REDIRECT_URIS: `${baseURL}/sso/callback` },
    },
    {
      command: `${resetDatabase}rm -rf "${dataDir}" && mkdir -p "${dataDir}" && exec "${binary}"`,
      url: `${baseURL}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        AUTHLINK_BIND: `127.0.0.1:${port}`,
        AUTHLINK_PUBLIC_URL: baseURL,
        AUTHLINK_DATA_DIR: dataDir,
        LEPTOS_SITE_ROOT: siteRoot,
        AUTHLINK_LOG: "warn",
        AUTHLINK_DEMO: "true",
        // The specs' webhook receiver listens on loopback.
        AUTHLINK_WEBHOOK_ALLOW_PRIVATE: "true",
        AUTHLINK_PROVIDER_SIMULATOR: `http://127.0.0.1:${simulatorPort}`,
        AUTHLINK_SSO_ISSUER: `http://127.0.0.1:${ssoPort}`,
        AUTHLINK_SSO_CLIENT_ID: "authlink",
        AUTHLINK_SSO_CLIENT_SECRET: "authlink-test-secret",
        AUTHLINK_SSO_ALLOWED_DOMAINS: "acme.example",
        AUTHLINK_SSO_LABEL: "Acme ID",
        ...(database ? { DATABASE_URL: database } : {}),
      },
    },
  ],
});
