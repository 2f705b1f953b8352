import { expect, test } from "@playwright/test";
import { watchConsole } from "./pages/auth";
import { addConnector, addTenant, generateLink, signedIn } from "./pages/journey";

// A real catalog entry in the browser: QuickBooks Online, run against a simulator of Intuit
// (provider-simulator.mjs) with only the origin rewritten. Its quirk — the company's realmId
// arrives only on the redirect back and every API call names it — must reach the connection,
// and the end user, in a browser of their own with JavaScript off, goes through the provider's
// page to the green check.

test("an end user connects QuickBooks, whose company id only the redirect carries", async ({ page, browser, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const problems = watchConsole(page);
  await signedIn(page);
  await addConnector(page, "QuickBooks Online", {
    Name: "QuickBooks",
    "OAuth client ID": "qb-e2e-client",
    "OAuth client secret": "qb-e2e-secret",
  });

  await addTenant(page, "Globex", "cus_e2e_qb");
  const card = page.getByTestId("connector-QuickBooks");
  await expect(card.getByTestId("connection-status")).toHaveText("Not connected");
  const link = await generateLink(page, "QuickBooks");

  const noScript = await browser.newContext({ javaScriptEnabled: false });
  const endPage = await noScript.newPage();
  await endPage.goto(link);
  await expect(endPage.getByRole("heading", { name: "Connect QuickBooks" })).toBeVisible();
  // Scopes in words, with the raw scope beside them.
  await expect(endPage.getByText("Access your company's accounting data")).toBeVisible();
  await expect(endPage.getByText("com.intuit.quickbooks.accounting")).toBeVisible();
  await endPage.getByRole("button", { name: "Continue to QuickBooks" }).click();

  // The provider's own page (the simulator refuses a request the entry got wrong).
  await expect(endPage.getByRole("heading", { name: "Intuit" })).toBeVisible();
  await endPage.getByRole("link", { name: "Connect Acme Books" }).click();
  await expect(endPage.getByRole("heading", { name: "You're connected" })).toBeVisible();
  await noScript.close();

  await expect(card.getByTestId("connection-status")).toHaveText("✓ Connected", { timeout: 15_000 });
  await expect(card.getByTestId("status-detail")).toContainText("books@acme.example");

  // The connection is pinned to the company: Reconnect offers to allow another one, off by default.
  await card.getByRole("button", { name: "Reconnect" }).click();
  const dialog = page.getByRole("dialog");
  const allow = dialog.getByLabel("Allow connecting a different account");
  await expect(allow).not.toBeChecked();
  await expect(dialog.getByText("pinned to account 9130357")).toBeVisible();
  await dialog.getByRole("button", { name: "Close" }).click();
  expect(problems).toEqual([]);
});
