// A simulator of QuickBooks Online (Intuit's OAuth 2.0 and Accounting API) for the end-to-end
// tests. The server under test sends every provider request here (AUTHLINK_PROVIDER_SIMULATOR),
// with the provider's host in Host; the end user's browser arrives at the authorization path
// with that host as `simulated_host`. It answers as Intuit documents: the company's realmId
// only on the redirect back, HTTP Basic client authentication, PKCE checked, and every
// Accounting API call naming the realm in its path.
import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";

const port = Number(process.env.AUTHLINK_E2E_SIMULATOR_PORT ?? 3300);
const clientId = "qb-e2e-client";
const clientSecret = "qb-e2e-secret";
const realm = "9130357";
const grants = new Map(); // code → { redirectUri, challenge }
const tokens = new Set();

const escape = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function send(res, status, type, body) {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  res.end(body);
}
const json = (res, status, body) => send(res, status, "application/json", JSON.stringify(body));

function page(title, body) {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head><body><main>${body}</main></body></html>`;
}

function authorize(url, res) {
  const q = url.searchParams;
  const problems = [];
  if (q.get("simulated_host") !== "appcenter.intuit.com") problems.push("wrong host");
  if (q.get("client_id") !== clientId) problems.push("unknown client");
  if (q.get("response_type") !== "code") problems.push("response_type must be code");
  if (!(q.get("scope") ?? "").split(" ").includes("com.intuit.quickbooks.accounting")) problems.push("no accounting scope");
  if (q.get("code_challenge_method") !== "S256" || !q.get("code_challenge")) problems.push("no PKCE");
  if (!q.get("state") || !q.get("redirect_uri")) problems.push("no state or redirect_uri");
  if (problems.length) {
    return send(res, 400, "text/html", page("Error", `<h1>Authorization error</h1><p>${escape(problems.join(", "))}</p>`));
  }
  const code = randomBytes(16).toString("hex");
  grants.set(code, { redirectUri: q.get("redirect_uri"), challenge: q.get("code_challenge") });
  const back = new URL(q.get("redirect_uri"));
  back.searchParams.set("code", code);
  back.searchParams.set("state", q.get("state"));
  back.searchParams.set("realmId", realm);
  const body = `<h1>Intuit</h1><p>Initech would like to access Acme Books (company ${realm}).</p>` +
    `<a href="${escape(back.toString())}">Connect Acme Books</a>`;
  send(res, 200, "text/html", page("Connect to QuickBooks", body));
}

function exchange(req, form, res) {
  const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`;
  if (req.headers.authorization !== expected) return json(res, 401, { error: "invalid_client" });
  const grant = grants.get(form.get("code") ?? "");
  grants.delete(form.get("code") ?? "");
  const verifier = form.get("code_verifier") ?? "";
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  if (form.get("grant_type") !== "authorization_code" || !grant || grant.redirectUri !== form.get("redirect_uri") || grant.challenge !== challenge) {
    return json(res, 400, { error: "invalid_grant" });
  }
  const token = randomBytes(24).toString("hex");
  tokens.add(token);
  json(res, 200, {
    token_type: "bearer",
    access_token: token,
    expires_in: 3600,
    refresh_token: randomBytes(24).toString("hex"),
    x_refresh_token_expires_in: 8726400,
  });
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://simulator");
  const host = req.headers.host ?? "";
  const bearer = (req.headers.authorization ?? "").replace(/^Bearer /, "");
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (chunk) => {
    body += chunk;
    if (body.length > 65536) req.destroy();
  });
  req.on("end", () => {
    if (req.method === "GET" && url.pathname === "/connect/oauth2") return authorize(url, res);
    if (req.method === "GET" && url.pathname === "/healthz") return json(res, 200, { ok: true });
    if (req.method === "POST" && host === "oauth.platform.intuit.com" && url.pathname === "/oauth2/v1/tokens/bearer") {
      return exchange(req, new URLSearchParams(body), res);
    }
    if (host === "quickbooks.api.intuit.com") {
      if (!tokens.has(bearer)) return json(res, 401, { fault: { type: "AUTHENTICATION" } });
      if (url.pathname !== `/v3/company/${realm}/companyinfo/${realm}`) return json(res, 403, { fault: { type: "AuthorizationFault" } });
      return json(res, 200, { CompanyInfo: { CompanyName: "Acme Books", Id: "1" } });
    }
    if (host === "accounts.platform.intuit.com" && url.pathname === "/v1/openid_connect/userinfo") {
      if (!tokens.has(bearer)) return json(res, 401, { error: "invalid_token" });
      return json(res, 200, { sub: "u-1", email: "books@acme.example", emailVerified: true });
    }
    json(res, 404, { error: "not_found" });
  });
});
server.listen(port, "127.0.0.1", () => console.log(`provider simulator at http://127.0.0.1:${port}`));
const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
