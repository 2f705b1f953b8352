import { expect, test } from "@playwright/test";
import { watchConsole } from "./pages/auth";
import { signedIn } from "./pages/journey";
import { totp } from "./pages/totp";

// Team: the owner invites a colleague, who accepts in a browser of their own, chooses a
// password and lands in the dashboard; the link then opens nothing; the owner changes the
// colleague's role and the colleague's dashboard follows at once; the colleague turns on
// two-factor sign-in and signs in again with a code.

test.describe.configure({ mode: "serial" });

const colleague = "casey@acme.example";
const colleaguePassword = "casey's own long passphrase";

test("an invited colleague joins in a browser of their own", async ({ page, browser }) => {
  const problems = watchConsole(page);
  await signedIn(page);
  await page.getByRole("link", { name: "Team" }).click();
  await expect(page).toHaveURL(/\/team$/);
  await expect(page.getByRole("heading", { level: 1, name: "Team" })).toBeVisible();

  const invite = page.getByRole("region", { name: "Invite someone" });
  await invite.getByLabel("E-mail").fill(colleague);
  await invite.getByLabel("Role").selectOption("admin");
  await invite.getByRole("button", { name: "Invite" }).click();
  const shown = page.getByTestId("invitation-link");
  await expect(shown).toContainText(`Link for ${colleague}`);
  const url = await shown.getByRole("textbox").inputValue();
  expect(url).toMatch(/\/invite\/[A-Za-z0-9_-]{43,}$/);
  await expect(page.getByTestId("team-pending")).toContainText(colleague);

  const theirs = await browser.newContext();
  const them = await theirs.newPage();
  const theirProblems = watchConsole(them);
  await them.goto(url);
  await expect(them.getByRole("heading", { name: "Join Acme CRM on Authlink" })).toBeVisible();
  await expect(them.getByLabel("E-mail")).toHaveValue(colleague);
  await them.getByLabel("Password", { exact: true }).fill(colleaguePassword);
  await them.getByLabel("Repeat the password").fill(colleaguePassword);
  await them.getByRole("button", { name: "Create my account" }).click();
  await expect(them).toHaveURL(/\/tenants$/);
  await expect(them.getByTestId("signed-in-user")).toContainText(colleague);
  await expect(them.getByTestId("signed-in-user")).toContainText("admin");

  // The link worked once.
  const stranger = await browser.newContext();
  const late = await stranger.newPage();
  await late.goto(url);
  await expect(late.getByTestId("invitation-unusable")).toBeVisible();
  await stranger.close();

  // The owner sees the new member and makes them a viewer; their dashboard follows.
  await page.reload();
  const row = page.getByTestId("team-members").getByRole("row", { name: new RegExp(colleague) });
  await expect(row).toBeVisible();
  await expect(page.getByTestId("team-pending")).toHaveCount(0);
  await row.getByLabel(`Role of ${colleague}`, { exact: true }).selectOption("viewer");
  await row.getByRole("button", { name: `Save the role of ${colleague}` }).click();
  await expect(row.getByLabel(`Role of ${colleague}`, { exact: true })).toHaveValue("viewer");

  await them.goto("/team");
  await expect(them.getByTestId("signed-in-user")).toContainText("viewer");
  await expect(them.getByRole("region", { name: "Invite someone" })).toHaveCount(0);
  await expect(them.getByRole("button", { name: "Leave the team" })).toBeVisible();

  // Two-factor sign-in: scan (here: read) the key, confirm with a code, keep the recovery codes.
  await them.goto("/settings");
  const card = them.getByRole("region", { name: "Two-factor sign-in" });
  await card.getByRole("button", { name: "Set up two-factor sign-in" }).click();
  await expect(card.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  const secret = (await card.getByTestId("two-factor-secret").textContent())!.trim();
  const now = Math.floor(Date.now() / 1000);
  await card.getByLabel("The six-digit code the app shows now").fill(totp(secret, now));
  await card.getByRole("button", { name: "Turn on" }).click();
  await expect(card.getByTestId("recovery-codes").getByRole("listitem")).toHaveCount(10);
  await expect(card.getByTestId("two-factor-on")).toContainText("Recovery codes left: 10");

  await them.getByRole("button", { name: "Sign out" }).click();
  await expect(them).toHaveURL(/\/sign-in$/);
  await them.getByLabel("E-mail").fill(colleague);
  await them.getByLabel("Password").fill(colleaguePassword);
  await them.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(them).toHaveURL(/\/sign-in\/two-factor$/);
  // The code of the step that turned it on was used; the next step's is accepted already.
  await them.getByLabel("Code", { exact: true }).fill(totp(secret, now + 30));
  await them.getByRole("button", { name: "Verify" }).click();
  await expect(them).toHaveURL(/\/tenants$/);
  await expect(them.getByTestId("signed-in-user")).toContainText(colleague);

  await page.reload();
  await expect(page.getByTestId("team-members").getByRole("row", { name: new RegExp(colleague) })).toContainText("on");
  expect(problems).toEqual([]);
  expect(theirProblems).toEqual([]);
  await theirs.close();
});
