import { expect, test } from "@playwright/test";
import { watchConsole } from "./pages/auth";
import { addTenant, signedIn } from "./pages/journey";

// Environments: the owner adds one in Settings, switches to it from the dashboard shell, sees a
// band saying it is not production and a tenant list of its own, and switches back.

test("switching environment shows another set of tenants, marked as not production", async ({ page }) => {
  const problems = watchConsole(page);
  await signedIn(page);
  await addTenant(page, "Globex Production", "env_prod_1");

  await page.goto("/settings");
  const card = page.getByRole("region", { name: "Environments" });
  await card.getByLabel("New environment").fill("staging");
  await card.getByRole("button", { name: "Add environment" }).click();
  await expect(card.getByTestId("environments")).toContainText("staging");
  await expect(page.getByTestId("environment-band")).toHaveCount(0);

  const switcher = page.getByTestId("environment-switcher");
  await expect(switcher.getByLabel("Environment", { exact: true })).toContainText("staging");
  await switcher.getByLabel("Environment", { exact: true }).selectOption({ label: "staging" });
  await switcher.getByRole("button", { name: "Switch" }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByTestId("environment-band")).toContainText("staging");
  await expect(page.getByTestId("environment-note")).toContainText("staging");

  await page.goto("/tenants");
  await expect(page.getByRole("heading", { name: "Tenants", level: 1 })).toBeVisible();
  await expect(page.getByText("Globex Production")).toHaveCount(0);
  await addTenant(page, "Globex Staging", "env_stage_1");
  await expect(page.getByTestId("environment-band")).toContainText("staging");
  await page.goto("/tenants");
  await expect(page.getByRole("link", { name: "Globex Staging" })).toBeVisible();

  // Back to production: its own tenants, and no band.
  await page.getByTestId("environment-switcher").getByLabel("Environment", { exact: true })
    .selectOption({ label: "production" });
  await page.getByTestId("environment-switcher").getByRole("button", { name: "Switch" }).click();
  await expect(page).toHaveURL(/\/tenants$/);
  await expect(page.getByTestId("environment-band")).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Globex Production" })).toBeVisible();
  await expect(page.getByText("Globex Staging")).toHaveCount(0);
  expect(problems).toEqual([]);
});
