import { expect, type Page } from "@playwright/test";

/** The owner-setup and sign-in pages. */
export class AuthPages {
  constructor(private readonly page: Page) {}

  async createOwner(product: string, email: string, password: string) {
    await this.page.goto("/setup");
    await expect(this.page.getByRole("heading", { name: "Create the owner account" })).toBeVisible();
    await this.page.getByLabel("Your product's name").fill(product);
    await this.page.getByLabel("E-mail").fill(email);
    await this.page.getByLabel("Password", { exact: true }).fill(password);
    await this.page.getByLabel("Repeat the password").fill(password);
    await this.page.getByRole("button", { name: "Create the owner account" }).click();
  }

  async signIn(email: string, password: string) {
    await expect(this.page.getByRole("heading", { name: "Sign in to Authlink" })).toBeVisible();
    // Without its script the form posts natively, and a refusal would not be shown.
    await expect(this.page.locator("html[data-hydrated]")).toHaveCount(1);
    await this.page.getByLabel("E-mail").fill(email);
    await this.page.getByLabel("Password").fill(password);
    await this.page.getByRole("button", { name: "Sign in", exact: true }).click();
  }
}

/** The signed-in dashboard shell. */
export class Dashboard {
  constructor(private readonly page: Page) {}

  nav() {
    return this.page.getByRole("navigation", { name: "Main" });
  }

  async expectSignedInAs(email: string) {
    await expect(this.page.getByTestId("signed-in-user")).toContainText(email);
  }

  async signOut() {
    await this.page.getByRole("button", { name: "Sign out" }).click();
  }
}

/**
 * Collects console errors and uncaught exceptions (hydration failures show up here). Chromium
 * also logs every 4xx answer as an error; a refused sign-in is an expected 4xx, so those are left
 * out, while 5xx answers still count.
 */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    const text = message.text();
    const expected4xx = /Failed to load resource: the server responded with a status of 4\d\d/.test(text);
    if (message.type() === "error" && !expected4xx) problems.push(text);
  });
  page.on("pageerror", (error) => problems.push(error.message));
  return problems;
}
