import { expect, test } from "@playwright/test";
import { AuthPages, Dashboard, watchConsole } from "./pages/auth";

const email = "owner@example.com";
const password = "correct horse battery staple";

test.describe.configure({ mode: "serial" });

test("first visit: create the owner account and land in the dashboard", async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);

  await new AuthPages(page).createOwner("Acme CRM", email, password);

  await expect(page).toHaveURL(/\/tenants$/);
  await expect(page.getByRole("heading", { name: "Tenants", level: 1 })).toBeVisible();
  const dashboard = new Dashboard(page);
  await dashboard.expectSignedInAs(email);
  for (const name of ["Tenants", "Connectors", "Settings"]) {
    await expect(dashboard.nav().getByRole("link", { name })).toBeVisible();
  }
  expect(problems).toEqual([]);
});

test("the dashboard is hydrated: navigation happens in the browser", async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto("/sign-in");
  await new AuthPages(page).signIn(email, password);
  await expect(page).toHaveURL(/\/tenants$/);

  // A marker on window survives only client-side navigation, which needs working hydration.
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
  await new Dashboard(page).nav().getByRole("link", { name: "Settings" }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByRole("heading", { name: "Settings", level: 1 })).toBeVisible();
  await expect(page.getByText("Acme CRM")).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
  await expect(new Dashboard(page).nav().getByRole("link", { name: "Settings" })).toHaveAttribute("aria-current", "page");
  expect(problems).toEqual([]);
});

test("sign out, a wrong password, then sign in again", async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto("/sign-in");
  const auth = new AuthPages(page);
  await auth.signIn(email, password);
  await expect(page).toHaveURL(/\/tenants$/);

  await new Dashboard(page).signOut();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto("/tenants");
  await expect(page).toHaveURL(/\/sign-in$/);

  await auth.signIn(email, "not the password at all");
  await expect(page.getByRole("alert")).toHaveText("The e-mail address or password is incorrect.");
  await expect(page).toHaveURL(/\/sign-in$/);

  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/tenants$/);
  await new Dashboard(page).expectSignedInAs(email);
  expect(problems).toEqual([]);
});

test("setup cannot be done twice", async ({ page }) => {
  await page.goto("/setup");
  await expect(page).toHaveURL(/\/sign-in$/);
});

test("keyboard: skip link and every control reachable with Tab", async ({ page }) => {
  await page.goto("/sign-in");
  await new AuthPages(page).signIn(email, password);
  await expect(page).toHaveURL(/\/tenants$/);
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  const reached = new Set<string>();
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press("Tab");
    reached.add(await page.evaluate(() => document.activeElement?.textContent?.trim() ?? ""));
  }
  for (const name of ["Tenants", "Connectors", "Settings", "Sign out"]) {
    expect(reached).toContain(name);
  }
});
