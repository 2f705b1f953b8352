import AxeBuilder from "@axe-core/playwright";
import { type Browser, expect, type Page, test } from "@playwright/test";
import { watchConsole } from "./pages/auth";
import { signedIn } from "./pages/journey";

// axe-core on every page, after the other specs have filled the dashboard: each dashboard page
// with JavaScript (hydrated), and each end-user page both with and without it, in the light and
// the dark colour scheme. Every rule axe has, WCAG 2.2 AA and best practices: 0 violations.

test.describe.configure({ mode: "serial" });

async function expectAccessibleHere(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const found = results.violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help}\n` +
      v.nodes.map((n) => `  ${n.target.join(" ")}: ${n.failureSummary ?? ""}`).join("\n"),
  );
  expect.soft(found, `${what} at ${page.url()}`).toEqual([]);
}

async function firstHref(page: Page, selector: string): Promise<string> {
  const href = await page.locator(selector).first().getAttribute("href");
  expect(href, selector).toBeTruthy();
  return href!;
}

test("every dashboard page, hydrated", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const problems = watchConsole(page);
  await signedIn(page);
  const tenant = await firstHref(page, 'table a[href^="/tenants/"]');
  await page.goto("/connectors");
  const connector = await firstHref(page, '[data-testid="connector-table"] a[href^="/connectors/"]');
  await page.goto("/settings");
  const webhook = await firstHref(page, '[data-testid="webhook-table"] a[href^="/settings/webhooks/"]');
  for (const path of [
    "/tenants",
    tenant,
    "/connectors",
    "/connectors/new",
    connector,
    "/overview",
    "/audit",
    "/settings",
    "/settings?logo_error=logo_too_large",
    webhook,
    "/team",
    "/invite/no-such-invitation",
    "/no-such-page",
  ]) {
    await page.goto(path);
    await expect(page.locator("h1")).toBeVisible();
    await expectAccessibleHere(page, path);
  }

  // The Connect popup, open, before and after a link is generated.
  await page.goto("/tenants?q=demo-acme");
  await page.getByRole("link", { name: "Acme Inc. (demo)" }).click();
  await page.getByTestId("connector-Demo OAuth").getByRole("button", { name: /^(Connect|Reconnect)$/ }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  await expectAccessibleHere(page, "the Connect popup");
  await dialog.getByRole("button", { name: "Generate Customer Link" }).click();
  await expect(dialog.getByLabel("Customer link")).toBeVisible();
  await expectAccessibleHere(page, "the Connect popup with its link");
  await dialog.getByRole("button", { name: "Close" }).click();

  // Signed out: the sign-in page, with a refused attempt.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await expectAccessibleHere(page, "sign-in");
  await page.goto("/sign-in/two-factor");
  await expectAccessibleHere(page, "sign-in, second step");
  await page.goto("/sign-in");
  await page.getByLabel("E-mail").fill("owner@example.com");
  await page.getByLabel("Password").fill("not the password at all");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expectAccessibleHere(page, "sign-in, refused");
  expect(problems.filter((p) => !p.includes("status of 4"))).toEqual([]);
});

/**
 * axe needs script to run, and a page without script runs none; so the document the end user's
 * browser has (without script) is shown again to a browser with script, at the same address and
 * with the same styles, and checked there. End-user pages carry no script at all, so both
 * browsers hold the same document.
 */
async function expectAccessibleWithoutScript(endPage: Page, auditor: Page, what: string) {
  const html = await endPage.content();
  const url = endPage.url();
  await auditor.route(url, (route) =>
    route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: html }),
  );
  await auditor.goto(url);
  await auditor.unroute(url);
  await expectAccessibleHere(auditor, what);
}

/** Every end-user page, visited in a browser with or without JavaScript and in one scheme. */
async function endUserPages(browser: Browser, links: string[], javaScriptEnabled: boolean, colorScheme: "light" | "dark") {
  const context = await browser.newContext({ javaScriptEnabled, colorScheme });
  const endPage = await context.newPage();
  const auditing = await browser.newContext({ colorScheme });
  const auditor = await auditing.newPage();
  const label = `${javaScriptEnabled ? "JS on" : "JS off"}, ${colorScheme}`;
  const expectAccessible = (page: Page, what: string) =>
    javaScriptEnabled ? expectAccessibleHere(page, what) : expectAccessibleWithoutScript(page, auditor, what);
  const [oauth, key, chooser] = links;

  await endPage.goto(chooser);
  await expectAccessible(endPage, `chooser (${label})`);
  await endPage.goto(key);
  await expectAccessible(endPage, `credential form (${label})`);
  await endPage.getByLabel("API key").fill("not-a-demo-key");
  await endPage.getByRole("button", { name: /^Connect / }).click();
  await expect(endPage.getByTestId("form-error").or(endPage.locator('[aria-invalid="true"]')).first()).toBeVisible();
  await expectAccessible(endPage, `credential form with errors (${label})`);

  await endPage.goto(oauth);
  await expectAccessible(endPage, `Connect page (${label})`);
  await endPage.getByRole("button", { name: "Continue to Demo OAuth" }).click();
  await expectAccessible(endPage, `the demo provider's consent screen (${label})`);
  await endPage.getByRole("button", { name: "Deny" }).click();
  await expect(endPage.getByTestId("connect-failure")).toBeVisible();
  await expectAccessible(endPage, `failure with Try again (${label})`);
  await endPage.getByRole("button", { name: "Try again" }).click();
  await endPage.getByRole("button", { name: "Allow" }).click();
  await expect(endPage.getByTestId("connect-success")).toBeVisible();
  await expectAccessible(endPage, `connected (${label})`);

  await endPage.goto(oauth);
  await expect(endPage.getByTestId("connect-failure")).toBeVisible();
  await expectAccessible(endPage, `used link (${label})`);
  await auditing.close();
  await context.close();
}

/** Creates an API key in Settings that may create links. */
async function linkWriter(page: Page): Promise<string> {
  await page.goto("/settings");
  await page.getByLabel("Name", { exact: true }).fill("Accessibility check");
  await page.getByLabel(/^links:write — /).check();
  await page.getByRole("button", { name: "Create API key" }).click();
  return page.getByTestId("created-api-key").getByLabel("New API key (shown only now)").inputValue();
}

/** Links to the demo tenant's OAuth connector, its API-key connector, and a choice of both. */
async function demoLinks(page: Page, apiKey: string): Promise<string[]> {
  const links: string[] = [];
  for (const connectors of [["demo-oauth"], ["demo-api-key"], ["demo-oauth", "demo-api-key"]]) {
    const created = await page.request.post("/api/v1/connect-links", {
      headers: { Authorization: `Bearer ${apiKey}` },
      data: { tenant: { external_id: "demo-acme" }, connectors },
    });
    expect(created.status()).toBe(201);
    links.push((await created.json()).url as string);
  }
  return links;
}

for (const javaScriptEnabled of [false, true]) {
  for (const colorScheme of ["light", "dark"] as const) {
    test(`every end-user page, JavaScript ${javaScriptEnabled ? "on" : "off"}, ${colorScheme}`, async ({ page, browser }) => {
      await signedIn(page);
      const links = await demoLinks(page, await linkWriter(page));
      await endUserPages(browser, links, javaScriptEnabled, colorScheme);
    });
  }
}
