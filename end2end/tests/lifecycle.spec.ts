import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { Webhook } from "standardwebhooks";
import { watchConsole } from "./pages/auth";
import { signedIn } from "./pages/journey";

// After the core journey: Settings (API keys, callback origins, webhook endpoints), a link that
// lets the end user choose between connectors (JavaScript off), the signed webhook that follows
// (checked with the Standard Webhooks reference library), the delivery on the endpoint's page,
// the status overview, the audit log with its CSV export, and disconnecting.

test.describe.configure({ mode: "serial" });

type Received = { headers: Record<string, string>; body: string };
const received: Received[] = [];
let receiver: http.Server;
let receiverUrl = "";
let apiKey = "";
let secret = "";

test.beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = String(v);
      received.push({ headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
});

test.afterAll(async () => {
  // Authlink's delivery client keeps connections alive; close them or close() waits for them.
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

test("Settings: an API key shown once, a callback origin, a webhook endpoint with its secret", async ({ page }) => {
  const problems = watchConsole(page);
  await signedIn(page);
  await page.getByRole("link", { name: "Settings" }).click();
  await expect(page.getByRole("heading", { name: "Settings", level: 1 })).toBeVisible();

  // API key: name and scopes; the key appears once.
  await page.getByLabel("Name", { exact: true }).fill("E2E backend");
  for (const scope of ["tenants:read", "links:write", "connections:read", "connectors:read"]) {
    await page.getByLabel(new RegExp(`^${scope} — `)).check();
  }
  await page.getByRole("button", { name: "Create API key" }).click();
  const created = page.getByTestId("created-api-key");
  await expect(created).toBeVisible();
  apiKey = await created.getByLabel("New API key (shown only now)").inputValue();
  expect(apiKey).toMatch(/^alk_[A-Za-z0-9_-]{43}$/);
  const keys = page.getByTestId("api-key-table");
  await expect(keys.getByRole("cell", { name: "E2E backend", exact: true })).toBeVisible();

  // A second key, revoked at once.
  await page.getByLabel("Name", { exact: true }).fill("Old backend");
  await page.getByLabel(/^tenants:read — /).check();
  await page.getByRole("button", { name: "Create API key" }).click();
  await expect(keys.getByRole("cell", { name: "Old backend", exact: true })).toBeVisible();
  await keys.getByRole("button", { name: "Revoke Old backend" }).click();
  await expect(keys.getByRole("row", { name: /Old backend/ })).toContainText("Revoked");

  // Callback origins: a bad one is refused with a message, a good one listed, then removed.
  await page.getByLabel("Origin", { exact: true }).fill("https://app.example.com/path");
  await page.getByRole("button", { name: "Allow origin" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await page.getByLabel("Origin", { exact: true }).fill("http://localhost:4000");
  await page.getByRole("button", { name: "Allow origin" }).click();
  const origins = page.getByTestId("callback-origins");
  await expect(origins).toContainText("http://localhost:4000");
  await origins.getByRole("button", { name: "Remove http://localhost:4000" }).click();
  await expect(page.getByText("No callback origins allowed yet.")).toBeVisible();

  // Webhook endpoint for two event types; the signing secret appears once.
  await page.getByLabel("Endpoint URL").fill(receiverUrl);
  await page.getByLabel("Description (optional)").fill("E2E receiver");
  await page.getByLabel(/^connection\.created — /).check();
  await page.getByLabel(/^link\.opened — /).check();
  await page.getByRole("button", { name: "Add endpoint" }).click();
  const shown = page.getByTestId("created-webhook-secret");
  await expect(shown).toBeVisible();
  secret = await shown.getByLabel("Signing secret (shown only now)").inputValue();
  expect(secret).toMatch(/^whsec_/);
  const hooks = page.getByTestId("webhook-table");
  await expect(hooks.getByRole("link", { name: receiverUrl })).toBeVisible();
  await expect(hooks).toContainText("connection.created, link.opened");
  expect(problems).toEqual([]);
});

test("a link offering two connectors lets the end user choose; the signed webhook follows", async ({ page, browser, request }) => {
  const problems = watchConsole(page);
  const created = await request.post("/api/v1/connect-links", {
    headers: { Authorization: `Bearer ${apiKey}` },
    data: {
      tenant: { external_id: "demo-acme" },
      connectors: ["demo-oauth", "demo-api-key"],
      tags: ["e2e"],
    },
  });
  expect(created.status()).toBe(201);
  const link = (await created.json()).url as string;

  const endUser = await browser.newContext({ javaScriptEnabled: false });
  const endPage = await endUser.newPage();
  await endPage.goto(link);
  await expect(endPage.getByRole("heading", { name: "Choose what to connect" })).toBeVisible();
  const choices = endPage.getByTestId("connector-choices");
  await expect(choices.getByRole("link")).toHaveCount(2);
  await choices.getByRole("link", { name: /Generic API key/ }).click();
  await endPage.getByLabel("API key").fill("demo_e2e_key_123");
  // The page names the connector as the admin does; demo.spec.ts renamed it.
  await endPage.getByRole("button", { name: "Connect Demo key (edited)" }).click();
  await expect(endPage.getByRole("heading", { name: "You're connected" })).toBeVisible();
  await endUser.close();

  // The delivery worker sends link.opened and connection.created, signed.
  await expect.poll(() => received.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
  const wh = new Webhook(secret);
  const types = received.map((r) => (wh.verify(r.body, r.headers) as { type: string }).type).sort();
  expect(types).toEqual(["connection.created", "link.opened"]);
  const event = JSON.parse(received.find((r) => r.body.includes("connection.created"))!.body);
  expect(event.data.tenant.external_id).toBe("demo-acme");
  expect(event.data.connector.key).toBe("demo-api-key");
  expect(event.data.link.tags).toEqual(["e2e"]);
  expect(received[0].body).not.toContain("demo_e2e_key_123");

  // The endpoint's page lists both deliveries with their attempts.
  await signedIn(page);
  await page.goto("/settings");
  await page.getByTestId("webhook-table").getByRole("link", { name: receiverUrl }).click();
  await expect(page.getByRole("heading", { name: receiverUrl, level: 1 })).toBeVisible();
  const deliveries = page.getByTestId("delivery");
  await expect(deliveries).toHaveCount(2);
  await expect(deliveries.first()).toContainText("delivered");
  await deliveries.first().getByText(/attempt\(s\)/).click();
  await expect(deliveries.first().getByRole("cell", { name: "HTTP 204" })).toBeVisible();
  expect(problems).toEqual([]);
});

test("status overview, audit log with CSV, and disconnecting", async ({ page }) => {
  const problems = watchConsole(page);
  await signedIn(page);

  await page.getByRole("link", { name: "Status" }).click();
  await expect(page.getByRole("heading", { name: "Status", level: 1 })).toBeVisible();
  await expect(page.getByTestId("status-counts")).toContainText("connected");
  const matrix = page.getByTestId("status-matrix");
  const demoRow = matrix.getByRole("row", { name: /Acme Inc\. \(demo\)/ });
  await expect(demoRow.getByRole("cell", { name: "Connected", exact: true })).toHaveCount(2);
  await page.getByLabel("Only tenants with problems").check();
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/problems=1/);
  await expect(page.getByRole("row", { name: /Acme Inc\. \(demo\)/ })).toHaveCount(0);

  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("heading", { name: "Audit log", level: 1 })).toBeVisible();
  const log = page.getByTestId("audit-table");
  await expect(log.getByText("api_key.create").first()).toBeVisible();
  await page.getByLabel("Actor").selectOption("end_user");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/actor_type=end_user/);
  await expect(log.getByText("connect.complete").first()).toBeVisible();
  await expect(log.getByText("api_key.create")).toHaveCount(0);
  const href = await page.getByRole("link", { name: "Export CSV" }).getAttribute("href");
  expect(href).toBe("/audit.csv?actor_type=end_user");
  const csv = await page.request.get(href!);
  expect(csv.headers()["content-type"]).toContain("text/csv");
  const lines = (await csv.text()).trim().split("\r\n");
  expect(lines[0]).toBe("time,actor_type,actor_id,actor,action,target_type,target_id,ip,details");
  expect(lines.slice(1).every((l) => l.includes('"end_user"'))).toBe(true);

  // Disconnect the demo OAuth connection: the card says so and offers Reconnect.
  await page.goto("/tenants?q=demo-acme");
  await page.getByRole("link", { name: "Acme Inc. (demo)" }).click();
  const card = page.getByTestId("connector-Demo OAuth");
  await card.locator("summary", { hasText: "Disconnect" }).click();
  await card.getByLabel("Yes, disconnect").check();
  await card.getByRole("button", { name: "Disconnect" }).click();
  await expect(card.getByTestId("connection-status")).toHaveText("Disconnected");
  await expect(card.getByRole("button", { name: "Reconnect" })).toBeVisible();
  expect(problems).toEqual([]);
});
