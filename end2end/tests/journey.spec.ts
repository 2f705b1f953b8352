import { expect, test } from "@playwright/test";
import { watchConsole } from "./pages/auth";
import { addConnector, addTenant, generateLink, signedIn } from "./pages/journey";

// The core journey: connectors, a tenant, Generate Customer Link, the end user connecting in a
// separate browser context (OAuth2 against an independent authorization server, and a credential
// form with JavaScript off), and the green check appearing on the admin's open page.

const oauthBase = `http://127.0.0.1:${process.env.AUTHLINK_E2E_OAUTH_PORT ?? 3200}`;

test.describe.configure({ mode: "serial" });

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
  await addTenant(page, "Initech", "cus_e2e_1");

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
  await endPage.getByRole("button", { name: "Continue to Mock OAuth" }).click();
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
  await formPage.getByRole("button", { name: "Connect Mock API" }).click();
  await expect(formPage.getByText("does not have the expected format")).toBeVisible();
  await formPage.getByLabel("API key").fill("mock-api-key-123");
  await formPage.getByRole("button", { name: "Connect Mock API" }).click();
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
  await expect(endPage.getByRole("heading", { name: "Connect Mock OAuth" })).toBeVisible();
  const button = endPage.getByRole("button", { name: "Continue to Mock OAuth" });
  const box = await button.boundingBox();
  expect(box && box.x + box.width).toBeLessThanOrEqual(390);
  await button.click();
  await expect(endPage.getByRole("heading", { name: "You're connected" })).toBeVisible();
  await phone.close();
});
