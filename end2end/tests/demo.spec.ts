import { expect, test } from "@playwright/test";
import { watchConsole } from "./pages/auth";
import { generateLink, signedIn } from "./pages/journey";

// Demo mode (the e2e server runs with AUTHLINK_DEMO=true): the seeded tenant connects through the
// built-in provider's consent screen, with JavaScript off on the end user's side, after a denial
// first. Then the admin edits the seeded connector.

test.describe.configure({ mode: "serial" });

test("the demo tenant connects through the built-in provider", async ({ page, browser, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const problems = watchConsole(page);
  await signedIn(page);
  await page.goto("/tenants?q=demo-acme");
  await page.getByRole("link", { name: "Acme Inc. (demo)" }).click();
  const card = page.getByTestId("connector-Demo OAuth");
  await expect(card.getByTestId("connection-status")).toHaveText("Not connected");
  const link = await generateLink(page, "Demo OAuth");

  const endUser = await browser.newContext({ javaScriptEnabled: false });
  const endPage = await endUser.newPage();
  await endPage.goto(link);
  await expect(endPage.getByText("profile")).toBeVisible();
  await endPage.getByRole("button", { name: "Continue to Demo OAuth" }).click();
  await expect(endPage.getByRole("heading", { name: "Authorize Authlink demo" })).toBeVisible();
  await expect(endPage.getByText("jane@demo.example")).toBeVisible();
  await endPage.getByRole("button", { name: "Deny" }).click();
  await expect(endPage.getByRole("heading", { name: "The connection did not go through" })).toBeVisible();
  await expect(endPage.getByRole("alert")).toContainText("You can try again from your link");

  // A denial does not use up the link: "Try again" goes straight back to the provider.
  await endPage.getByRole("button", { name: "Try again" }).click();
  await endPage.getByRole("button", { name: "Allow" }).click();
  await expect(endPage.getByRole("heading", { name: "You're connected" })).toBeVisible();
  await endUser.close();

  await expect(card.getByTestId("connection-status")).toHaveText("✓ Connected", { timeout: 15_000 });
  await expect(card.getByTestId("status-detail")).toContainText("as jane@demo.example");
  expect(problems).toEqual([]);
});

test("an admin edits and disables a connector", async ({ page }) => {
  const problems = watchConsole(page);
  await signedIn(page);
  await page.goto("/connectors");
  const table = page.getByTestId("connector-table");
  await table.getByRole("link", { name: "Demo API key" }).click();
  await expect(page.getByRole("heading", { name: "Demo API key", level: 1 })).toBeVisible();
  await expect(page.getByLabel("Verification URL (optional)")).toHaveValue(/\/demo\/api\/me$/);
  await page.getByLabel("Name", { exact: true }).fill("Demo key (edited)");
  await page.getByRole("button", { name: "Save connector" }).click();
  await expect(page).toHaveURL(/\/connectors$/);
  const row = table.getByRole("row", { name: /Demo key \(edited\)/ });
  await expect(row).toBeVisible();

  await row.getByRole("button", { name: "Disable" }).click();
  await expect(row.getByText("Disabled", { exact: true })).toBeVisible();

  // A disabled connector is not offered on Tenant Details.
  await page.goto("/tenants?q=demo-acme");
  await page.getByRole("link", { name: "Acme Inc. (demo)" }).click();
  await expect(page.getByTestId("connector-Demo OAuth")).toBeVisible();
  await expect(page.getByTestId("connector-Demo key (edited)")).toHaveCount(0);

  await page.goto("/connectors");
  await row.getByRole("button", { name: "Enable" }).click();
  await expect(row.getByText("Enabled", { exact: true })).toBeVisible();
  expect(problems).toEqual([]);
});
