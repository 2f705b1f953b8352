//! An independent OpenID Connect provider (`end2end/oidc-provider.mjs`, the `oidc-provider`
//! package) in a child process, and a browser's trip through it.

use std::path::PathBuf;
use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};

/// Our client at the provider.
pub const CLIENT_ID: &str = "authlink";
pub const CLIENT_SECRET: &str = "authlink-test-secret";

/// The provider; stopped when dropped.
pub struct OidcProvider {
    _child: Child,
    _stdin: ChildStdin,
    /// Its issuer, `http://127.0.0.1:<port>`.
    pub issuer: String,
    http: reqwest::Client,
}

fn end2end() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../end2end")
}

impl OidcProvider {
    /// Starts the provider, which sends browsers back to `http://localhost/sso/callback` (the
    /// test server's public URL). `None` (outside CI) when Node.js or the package is missing.
    pub async fn start() -> Option<Self> {
        let installed = end2end()
            .join("node_modules/oidc-provider/package.json")
            .is_file();
        let node = Command::new("node").arg("--version").output().await.is_ok();
        if !(installed && node) {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!(
                    "CI=true but Node.js or oidc-provider is missing: run scripts/setup.sh test"
                );
            }
            eprintln!(
                "SKIPPED a single sign-on test: oidc-provider is not installed (scripts/setup.sh test)"
            );
            return None;
        }
        let mut child = Command::new("node")
            .arg("oidc-provider.mjs")
            .arg("0")
            .current_dir(end2end())
            .env(
                "AUTHLINK_SSO_REDIRECT_URIS",
                "http://localhost/sso/callback",
            )
            .env("AUTHLINK_SSO_CLIENT_ID", CLIENT_ID)
            .env("AUTHLINK_SSO_CLIENT_SECRET", CLIENT_SECRET)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("node starts");
        let stdin = child.stdin.take().expect("stdin");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let port = loop {
            let line = lines
                .next_line()
                .await
                .expect("provider output")
                .expect("the provider printed its port");
            if let Some(port) = line.strip_prefix("ready ") {
                break port.trim().to_owned();
            }
        };
        // Whatever it prints later must have somewhere to go, or it dies of a broken pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Some(Self {
            _child: child,
            _stdin: stdin,
            issuer: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
        })
    }

    /// Who the next login at the provider is.
    pub async fn next_login(&self, email: &str, verified: bool) {
        let answer = self
            .http
            .post(format!("{}/test/next-login", self.issuer))
            .json(&serde_json::json!({ "email": email, "email_verified": verified }))
            .send()
            .await
            .expect("provider");
        assert_eq!(answer.status(), 204);
    }

    /// Follows the provider's redirects from `authorization_url` (login as the next login,
    /// consent) in a fresh browser to the callback it sends that browser to, which it returns.
    pub async fn authorize(&self, authorization_url: &str) -> String {
        // A browser of its own at the provider: nobody is signed in there yet.
        let browser = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let mut url = authorization_url.to_owned();
        for _ in 0..10 {
            let answer = browser.get(&url).send().await.expect("provider");
            let location = answer
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .unwrap_or_else(|| panic!("no redirect from {url}: {}", answer.status()))
                .to_owned();
            if location.starts_with("http://localhost/") {
                return location;
            }
            url = if location.starts_with('/') {
                format!("{}{location}", self.issuer)
            } else {
                location
            };
        }
        panic!("the provider never sent the browser back");
    }
}
