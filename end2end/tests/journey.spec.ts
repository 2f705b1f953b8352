import { expect, test, type Page } from "@playwright/test";
import { AuthPages, watchConsole } from "./pages/auth";

// The core journey: connectors, a tenant, Generate Customer Link, the end user connecting in a
// separate browser context (OAuth2 against an independent authorization server, and a credential
// form with JavaScript off), and the green check appearing on the admin's open page.

const email = "owner@example.com";
const password = "correct horse battery staple";
const oauthBase = `http://127.0.0.1:${process.env.AUTHLINK_E2E_OAUTH_PORT ?? 3200}`;

test.describe.configure({ mode: "serial" });

async function signedIn(page: Page) {
  await page.goto("/tenants");
  if (page.url().endsWith("/setup")) {
    await new AuthPages(page).createOwner("Acme CRM", email, password);
  } else if (page.url().endsWith("/sign-in")) {
    await new AuthPages(page).signIn(email, password);
  }
  await expect(page).toHaveURL(/\/tenants$/);
}

async function addConnector(page: Page, provider: string, fill: Record<string, string>) {
  await page.goto("/connectors/new");
  await page.getByLabel("Search providers").fill(provider);
  await page.getByRole("button", { name: new RegExp(`^${provider}`) }).click();
  for (const [label, value] of Object.entries(fill)) {
    await page.getByLabel(label, { exact: true }).fill(value);
  }
  await page.getByRole("button", { name: "Create connector" }).click();
  await expect(page).toHaveURL(/\/connectors$/);
}

async function generateLink(page: Page, connector: string): Promise<string> {
  const card = page.getByTestId(`connector-${connector}`);
  await card.getByRole("button", { name: /^(Connect|Reconnect)$/ }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByRole("heading", { name: `Connect ${connector}` })).toBeVisible();
  await expect(dialog.getByLabel("Link expires after")).toHaveValue(String(7 * 24 * 60));
  await expect(dialog.getByLabel(/Single use/)).toBeChecked();
  await dialog.getByLabel("Recipient (optional)").fill("it@initech.example");
  await dialog.getByRole("button", { name: "Generate Customer Link" }).click();
  const url = await dialog.getByLabel("Customer link").inputValue();
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/connect\/[A-Za-z0-9_-]{43}$/);
  await dialog.getByRole("button", { name: "Copy" }).click();
  await expect(dialog.getByRole("status")).toHaveText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(dialog).toBeHidden();
  return url;
}

test("an admin sets up connectors and a tenant, and an end user connects both", async ({ page, browser, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const problems = watchConsole(page);
  await signedIn(page);

  // 1. Connectors: an OAuth2 connector against the independent server, and an API-key one.
  await page.goto("/connectors/new");
  await page.getByLabel("Category").selectOption("Generic");
  await expect(page.getByRole("button", { name: /^GitHub/ })).toBeHidden();
  await addConnector(page, "Generic OAuth2", {
    Name: "Mock OAuth",
    "OAuth client ID": "authlink-e2e",
    "OAuth client secret": "e2e-client-secret",
    Scopes: "openid profile",
    "Authorization URL": `${oauthBase}/authorize`,
    "Token URL": `${oauthBase}/token`,
    "Identity URL (optional)": `${oauthBase}/userinfo`,
    "Account name in the identity response (JSON pointer)": "/sub",
  });
  await addConnector(page, "Generic API key", { Name: "Mock API" });
  const table = page.getByTestId("connector-table");
  await expect(table.getByRole("link", { name: "Mock OAuth" })).toBeVisible();
  await expect(table.getByRole("link", { name: "Mock API" })).toBeVisible();
  await table.getByRole("link", { name: "Mock OAuth" }).click();
  await expect(page.getByTestId("redirect-uri")).toHaveText(/\/oauth\/callback$/);

  // 2. A tenant.
  await page.goto("/tenants");
  await page.getByText("New tenant").click();
  await page.getByLabel("Name").fill("Initech");
  await page.getByLabel("External ID").fill("cus_e2e_1");
  await page.getByRole("button", { name: "Create tenant" }).click();
  await expect(page.getByRole("heading", { name: "Initech", level: 1 })).toBeVisible();

  // 3–4. Connect → Generate Customer Link → Copy.
  const oauthCard = page.getByTestId("connector-Mock OAuth");
  await expect(oauthCard.getByTestId("connection-status")).toHaveText("Not connected");
  const oauthLink = await generateLink(page, "Mock OAuth");

  // 5–6. The end user, in a browser of their own, goes through the provider.
  const endUser = await browser.newContext();
  const endPage = await endUser.newPage();
  const endProblems = watchConsole(endPage);
  await endPage.goto(oauthLink);
  await expect(endPage.getByText("Acme CRM asks you to connect")).toBeVisible();
  await expect(endPage.getByText("Initech")).toBeVisible();
  await expect(endPage.getByText("openid")).toBeVisible();
  await endPage.getByRole("button", { name: "Continue to Generic OAuth2" }).click();
  await expect(endPage.getByRole("heading", { name: "You're connected" })).toBeVisible();
  expect(endProblems).toEqual([]);

  // 7. The admin's open page shows the green check without a reload.
  await expect(oauthCard.getByTestId("connection-status")).toHaveText("✓ Connected", { timeout: 15_000 });
  await expect(oauthCard.getByTestId("status-detail")).toContainText("as johndoe");
  await expect(oauthCard.getByRole("button", { name: "Reconnect" })).toBeVisible();

  // The used single-use link now gives the one answer for every unusable link.
  await endPage.goto(oauthLink);
  await expect(endPage.getByRole("heading", { name: "This link cannot be used" })).toBeVisible();
  await endUser.close();

  // A credential connector, with JavaScript turned off in the end user's browser.
  const keyLink = await generateLink(page, "Mock API");
  const noScript = await browser.newContext({ javaScriptEnabled: false });
  const formPage = await noScript.newPage();
  await formPage.goto(keyLink);
  await formPage.getByLabel("API key").fill("key with spaces");
  await formPage.getByRole("button", { name: "Connect Generic API key" }).click();
  await expect(formPage.getByText("does not have the expected format")).toBeVisible();
  await formPage.getByLabel("API key").fill("mock-api-key-123");
  await formPage.getByRole("button", { name: "Connect Generic API key" }).click();
  await expect(formPage.getByRole("heading", { name: "You're connected" })).toBeVisible();
  await noScript.close();

  const keyCard = page.getByTestId("connector-Mock API");
  await expect(keyCard.getByTestId("connection-status")).toHaveText("✓ Connected", { timeout: 15_000 });

  // The tenant list counts both connections.
  await page.goto("/tenants?q=initech");
  const row = page.getByTestId("tenant-table").getByRole("row", { name: /Initech/ });
  await expect(row.getByRole("cell").nth(2)).toHaveText("2");
  expect(problems).toEqual([]);
});

test("the Connect page works with JavaScript off and on a phone-sized screen", async ({ page, browser }) => {
  await signedIn(page);
  await page.goto("/tenants?q=initech");
  await page.getByRole("link", { name: "Initech" }).click();
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  const link = await generateLink(page, "Mock OAuth");

  const phone = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
  const endPage = await phone.newPage();
  await endPage.goto(link);
  await expect(endPage.getByRole("heading", { name: "Connect Generic OAuth2" })).toBeVisible();
  const button = endPage.getByRole("button", { name: "Continue to Generic OAuth2" });
  const box = await button.boundingBox();
  expect(box && box.x + box.width).toBeLessThanOrEqual(390);
  await button.click();
  await expect(endPage.getByRole("heading", { name: "You're connected" })).toBeVisible();
  await phone.close();
});
