// An independent OAuth2 / OpenID Connect authorization server for the end-to-end tests
// (the `oauth2-mock-server` package): it checks PKCE and issues real signed tokens.
import { OAuth2Server } from "oauth2-mock-server";

const port = Number(process.env.AUTHLINK_E2E_OAUTH_PORT ?? 3200);
const server = new OAuth2Server();
await server.issuer.keys.generate("RS256");
await server.start(port, "127.0.0.1");
console.log(`mock authorization server at ${server.issuer.url}`);

const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
