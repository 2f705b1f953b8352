import { expect, test } from "@playwright/test";
import { AuthPages, Dashboard } from "./pages/auth";

// Runs in the phone project, after the desktop journey created the owner.
test("the dashboard fits a phone screen", async ({ page }) => {
  await page.goto("/sign-in");
  await new AuthPages(page).signIn("owner@example.com", "correct horse battery staple");
  await expect(page).toHaveURL(/\/tenants$/);
  const dashboard = new Dashboard(page);
  for (const name of ["Tenants", "Connectors", "Settings"]) {
    await expect(dashboard.nav().getByRole("link", { name })).toBeVisible();
  }
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});
