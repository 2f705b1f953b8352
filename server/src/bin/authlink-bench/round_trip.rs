//! The whole OAuth round trip as an end user's browser makes it, against the demo provider
//! served by the same server: Connect page → start → authorize (consent) → allow → callback
//! (where the server redeems the code at the token endpoint). One iteration is one round trip.

use async_trait::async_trait;
use rlt::{IterInfo, IterReport, StatelessBenchSuite, Status};
use tokio::time::Instant;

/// Browser hops of one round trip plus the server's own call to the token endpoint.
pub const HOPS: f64 = 6.0;

/// The suite: a reusable (multi-use) link on the demo OAuth connector.
#[derive(Clone)]
pub struct RoundTrip {
    /// The server.
    pub base: String,
    /// The link.
    pub link: String,
}

fn location(response: &reqwest::Response) -> anyhow::Result<String> {
    Ok(response
        .headers()
        .get(reqwest::header::LOCATION)
        .ok_or_else(|| anyhow::anyhow!("no redirect ({})", response.status()))?
        .to_str()?
        .to_owned())
}

impl RoundTrip {
    async fn once(&self) -> anyhow::Result<u16> {
        // A fresh browser each time: the flow is bound to its cookie.
        let browser = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        browser.get(&self.link).send().await?.bytes().await?;
        let start = browser
            .post(&self.link)
            .header("origin", &self.base)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("")
            .send()
            .await?;
        let authorize = url::Url::parse(&location(&start)?)?;
        browser.get(authorize.clone()).send().await?.bytes().await?;
        let mut form: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
        form.push(("decision".into(), "allow".into()));
        let decided = browser
            .post(format!("{}{}", self.base, authorize.path()))
            .header("origin", &self.base)
            .form(&form)
            .send()
            .await?;
        let callback = location(&decided)?;
        let done = browser.get(callback).send().await?;
        let status = done.status().as_u16();
        done.bytes().await?;
        Ok(status)
    }
}

#[async_trait]
impl StatelessBenchSuite for RoundTrip {
    async fn bench(&mut self, _: &IterInfo) -> anyhow::Result<IterReport> {
        let started = Instant::now();
        let status = match self.once().await {
            Ok(200) => Status::success(200),
            Ok(other) => Status::client_error(i64::from(other)),
            Err(_) => Status::error(0),
        };
        Ok(IterReport {
            duration: started.elapsed(),
            status,
            bytes: 0,
            items: 1,
        })
    }
}
