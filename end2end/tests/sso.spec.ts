import { expect, test } from "@playwright/test";
import { watchConsole } from "./pages/auth";

// Single sign-on through an independent OpenID Connect provider (oidc-provider): a colleague
// with a verified address of an allowed domain signs in with one click and becomes a viewer;
// an address of another domain is sent back to the sign-in page with the reason in words.

const provider = `http://127.0.0.1:${process.env.AUTHLINK_E2E_SSO_PORT ?? 3400}`;

test.describe.configure({ mode: "serial" });

async function nextLogin(request: import("@playwright/test").APIRequestContext, email: string) {
  const answer = await request.post(`${provider}/test/next-login`, { data: { email, email_verified: true } });
  expect(answer.status()).toBe(204);
}

test("a colleague signs in through the company's provider", async ({ browser, request }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);
  await nextLogin(request, "sam@acme.example");
  await page.goto("/tenants");
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.getByRole("button", { name: "Sign in with Acme ID" }).click();
  await expect(page).toHaveURL(/\/tenants$/);
  await expect(page.getByTestId("signed-in-user")).toContainText("sam@acme.example");
  await expect(page.getByTestId("signed-in-user")).toContainText("viewer");
  expect(problems).toEqual([]);
  await context.close();
});

test("an address of another domain is refused, in words", async ({ browser, request }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await nextLogin(request, "eve@evil.example");
  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Sign in with Acme ID" }).click();
  await expect(page).toHaveURL(/\/sign-in\?sso_error=domain_not_allowed$/);
  await expect(page.getByTestId("sso-error")).toHaveText(
    "Your e-mail address is not in a domain allowed to sign in here.",
  );
  await context.close();
});
