import { expect, type Page } from "@playwright/test";
import { AuthPages } from "./auth";

/** Steps of the core journey shared by several specs. */

const email = "owner@example.com";
const password = "correct horse battery staple";

/** Signs in (creating the owner on a fresh server) and lands on Tenants. */
export async function signedIn(page: Page) {
  await page.goto("/tenants");
  if (page.url().endsWith("/setup")) {
    await new AuthPages(page).createOwner("Acme CRM", email, password);
  } else if (page.url().endsWith("/sign-in")) {
    await new AuthPages(page).signIn(email, password);
  }
  await expect(page).toHaveURL(/\/tenants$/);
}

/** Creates a connector from the catalog provider `provider`, filling fields by label. */
export async function addConnector(page: Page, provider: string, fill: Record<string, string>) {
  await page.goto("/connectors/new");
  await page.getByLabel("Search providers").fill(provider);
  await page.getByRole("button", { name: new RegExp(`^${provider}`) }).click();
  for (const [label, value] of Object.entries(fill)) {
    await page.getByLabel(label, { exact: true }).fill(value);
  }
  await page.getByRole("button", { name: "Create connector" }).click();
  await expect(page).toHaveURL(/\/connectors$/);
}

/** Creates a tenant from the Tenants page and lands on its details. */
export async function addTenant(page: Page, name: string, externalId: string) {
  await page.goto("/tenants");
  await page.getByText("New tenant").click();
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("External ID").fill(externalId);
  await page.getByRole("button", { name: "Create tenant" }).click();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
}

/** Opens the Connect dialog of `connector` on Tenant Details, generates and copies a link. */
export async function generateLink(page: Page, connector: string): Promise<string> {
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
