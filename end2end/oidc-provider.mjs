// An independent OpenID Connect provider for the single sign-on tests (the certified
// `oidc-provider` package): discovery, PKCE, nonce, RS256 ID tokens and the RFC 9207 `iss`
// on callbacks, as a company's identity provider does it. Who signs in next is set with
// `POST /test/next-login {"email": …, "email_verified": …}`; the login and consent steps then
// finish without a form. Listens on 127.0.0.1 at the port given (0: any free one) and prints
// `ready <port>`.
import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";
import Provider from "oidc-provider";

const requested = Number(process.argv[2] ?? process.env.AUTHLINK_SSO_PROVIDER_PORT ?? 0);
const redirectUris = (process.env.AUTHLINK_SSO_REDIRECT_URIS ?? "http://localhost/sso/callback")
  .split(",")
  .map((u) => u.trim());
const clientId = process.env.AUTHLINK_SSO_CLIENT_ID ?? "authlink";
const clientSecret = process.env.AUTHLINK_SSO_CLIENT_SECRET ?? "authlink-test-secret";

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: "jwk" }), kid: "test-key", use: "sig", alg: "RS256" };

let next = { email: "nobody@example.com", email_verified: true };
const accounts = new Map();
let provider;

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url, "http://127.0.0.1");
    if (req.method === "POST" && url.pathname === "/test/next-login") {
      let body = "";
      for await (const chunk of req) body += chunk;
      next = JSON.parse(body);
      res.writeHead(204).end();
      return;
    }
    const interaction = url.pathname.match(/^\/interaction\/([^/]+)$/);
    if (req.method === "GET" && interaction) {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === "login") {
        const accountId = next.email;
        accounts.set(accountId, { ...next });
        await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
      } else {
        const grant = new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
        grant.addOIDCScope(String(details.params.scope));
        const grantId = await grant.save();
        await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      }
      return;
    }
    provider.callback()(req, res);
  } catch (error) {
    console.error(error);
    if (!res.headersSent) res.writeHead(500).end(String(error));
  }
});

server.listen(requested, "127.0.0.1", () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: redirectUris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: ["authlink-test-cookie-key"] },
    pkce: { required: () => true },
    claims: { openid: ["sub"], email: ["email", "email_verified"] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, id) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: id, email: account.email, email_verified: account.email_verified };
        },
      };
    },
  });
  console.log(`ready ${port}`);
});

const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
// The test suite holds stdin open; when it goes away, so does the provider.
process.stdin.on("end", stop);
process.stdin.resume();
