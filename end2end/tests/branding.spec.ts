import { expect, test } from "@playwright/test";
import * as path from "node:path";
import { watchConsole } from "./pages/auth";
import { generateLink, signedIn } from "./pages/journey";

// Settings → Branding: the preview follows what the admin types (hydrated), an unreadable accent
// colour is refused, the logo is uploaded with a plain form post, and the Connect page and its
// result pages show the brand with JavaScript off. The brand stays for the specs after this one,
// so their end-user pages are branded too.

test.describe.configure({ mode: "serial" });

const accent = "#1864ab";
const accentRgb = "rgb(24, 100, 171)";

test("an admin brands the end-user pages, with a live preview", async ({ page }) => {
  const problems = watchConsole(page);
  await signedIn(page);
  await page.goto("/settings");
  const card = page.locator("#branding");
  await expect(card.getByRole("heading", { name: "Branding" })).toBeVisible();
  const preview = card.getByTestId("brand-preview");

  // The preview follows the name as it is typed.
  await card.getByLabel("Product name").fill("Acme Cloud");
  await expect(preview).toContainText("Acme Cloud asks you to connect");
  await card.getByLabel("Product name").fill("Acme CRM");

  // A colour white text cannot be read on is called out while typing, and refused on save.
  await card.getByLabel("Accent colour").fill("#ffd43b");
  await expect(card.getByText(/WCAG AA needs at least 4\.5:1/)).toBeVisible();
  await card.getByRole("button", { name: "Save branding" }).click();
  await expect(card.getByRole("alert")).toContainText("4.5:1");

  await card.getByLabel("Accent colour").fill(accent);
  await expect(card.getByText(/passes WCAG AA/)).toBeVisible();
  await expect(preview.locator(".button.primary")).toHaveCSS("background-color", accentRgb);
  await card.getByLabel("Support e-mail").fill("help@acme.example");
  await expect(preview.getByTestId("preview-support")).toContainText("help@acme.example");
  await card.getByRole("button", { name: "Save branding" }).click();
  await expect(card.getByRole("status")).toContainText("Branding saved");

  // The logo: an SVG is refused, a PNG is taken.
  await card.getByLabel("Logo").setInputFiles({
    name: "logo.svg",
    mimeType: "image/svg+xml",
    buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
  });
  await card.getByRole("button", { name: "Upload logo" }).click();
  await expect(page).toHaveURL(/logo_error=logo_unsupported_type/);
  await expect(page.getByTestId("logo-error")).toContainText("PNG, JPEG or WebP");
  await page.locator("#branding").getByLabel("Logo").setInputFiles(path.join(__dirname, "../fixtures/logo.png"));
  await page.locator("#branding").getByRole("button", { name: "Upload logo" }).click();
  await expect(page).toHaveURL(/logo=saved/);
  await expect(page.getByRole("img", { name: "Acme CRM logo" })).toBeVisible();
  await expect(page.locator("#branding").getByLabel("Accent colour")).toHaveValue(accent);
  expect(problems).toEqual([]);
});

test("the Connect page and the unusable-link page are branded, with JavaScript off", async ({ page, browser, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signedIn(page);
  await page.goto("/tenants?q=demo-acme");
  await page.getByRole("link", { name: "Acme Inc. (demo)" }).click();
  const link = await generateLink(page, "Demo OAuth");

  const endUser = await browser.newContext({ javaScriptEnabled: false, locale: "en-US" });
  const endPage = await endUser.newPage();
  await endPage.goto(link);
  await expect(endPage.getByRole("img", { name: "Acme CRM logo" })).toBeVisible();
  const button = endPage.getByRole("button", { name: "Continue to Demo OAuth" });
  await expect(button).toHaveCSS("background-color", accentRgb);
  if (process.env.AUTHLINK_E2E_SCREENSHOTS) {
    await endPage.setViewportSize({ width: 720, height: 900 });
    await endPage.locator("main").screenshot({ path: path.join(__dirname, "../../docs/branded-connect-page.png") });
  }
  // A link that cannot be used says whom to ask (the failure pages share it; the HTTP tests
  // cover them). The demo tenant's connection is left as it was for the specs after this one.
  await endPage.goto(new URL("/connect/no-such-link", link).toString());
  await expect(endPage.getByRole("heading", { name: "This link cannot be used" })).toBeVisible();
  const support = endPage.getByTestId("support-contact");
  await expect(support).toContainText("Need help? Contact Acme CRM:");
  await expect(support.getByRole("link", { name: "help@acme.example" })).toHaveAttribute(
    "href",
    "mailto:help@acme.example",
  );
  await endUser.close();
});
