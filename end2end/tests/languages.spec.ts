import { type BrowserContext, expect, type Page, test } from "@playwright/test";
import { generateLink, signedIn } from "./pages/journey";

// The end user's side in German and Japanese with JavaScript off: the browser's language picks
// the words, the switcher changes them without script, and the choice holds through the round
// trip to the provider (the demo provider's consent screen) back to the result page. The pages
// carry the brand branding.spec.ts set: logo, accent colour and support contact.

test.describe.configure({ mode: "serial" });

async function demoLink(page: Page, context: BrowserContext): Promise<string> {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signedIn(page);
  await page.goto("/tenants?q=demo-acme");
  await page.getByRole("link", { name: "Acme Inc. (demo)" }).click();
  return generateLink(page, "Demo OAuth");
}

test("a German browser gets the Connect page and its result in German", async ({ page, browser, context }) => {
  const link = await demoLink(page, context);
  const endUser = await browser.newContext({ javaScriptEnabled: false, locale: "de-DE" });
  const endPage = await endUser.newPage();
  await endPage.goto(link);
  await expect(endPage.locator("html")).toHaveAttribute("lang", "de");
  await expect(endPage.getByRole("navigation", { name: "Sprache" })).toBeVisible();
  await expect(endPage.getByRole("img", { name: "Logo von Acme CRM" })).toBeVisible();
  const proceed = endPage.getByRole("button", { name: "Weiter zu Demo OAuth" });
  await expect(proceed).toHaveCSS("background-color", "rgb(24, 100, 171)");
  await proceed.click();
  // The demo provider answers in the browser's language as well.
  await endPage.getByRole("button", { name: "Ablehnen" }).click();
  await expect(endPage.getByRole("heading", { name: "Die Verbindung kam nicht zustande" })).toBeVisible();
  await expect(endPage.getByTestId("support-contact")).toContainText("Brauchen Sie Hilfe? Wenden Sie sich an Acme CRM:");
  await endPage.getByRole("button", { name: "Erneut versuchen" }).click();
  await endPage.getByRole("button", { name: "Erlauben" }).click();
  await expect(endPage.getByRole("heading", { name: "Sie sind verbunden" })).toBeVisible();
  await expect(endPage.locator("html")).toHaveAttribute("lang", "de");
  await endUser.close();
});

test("the switcher turns the page Japanese without script, through the provider and back", async ({ page, browser, context }) => {
  const link = await demoLink(page, context);
  const endUser = await browser.newContext({ javaScriptEnabled: false, locale: "en-US" });
  const endPage = await endUser.newPage();
  await endPage.goto(link);
  await expect(endPage.locator("html")).toHaveAttribute("lang", "en");
  await endPage.getByRole("link", { name: "日本語" }).click();
  await expect(endPage.locator("html")).toHaveAttribute("lang", "ja");
  await expect(endPage.getByRole("link", { name: "日本語" })).toHaveAttribute("aria-current", "true");
  await endPage.getByRole("button", { name: "Demo OAuth へ進む" }).click();
  await endPage.getByRole("button", { name: "Allow" }).click();
  await expect(endPage.getByRole("heading", { name: "接続しました" })).toBeVisible();
  await expect(endPage.getByRole("img", { name: "Acme CRM のロゴ" })).toBeVisible();
  await expect(endPage.locator("html")).toHaveAttribute("lang", "ja");
  // Nothing overflows a phone screen in Japanese either.
  await endPage.setViewportSize({ width: 390, height: 844 });
  const overflow = await endPage.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await endUser.close();
});
