//! A real SMTP server (aiosmtpd, started per test) that records what it accepts.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

/// One message as the server received it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Received {
    /// The envelope sender.
    pub from: String,
    /// The envelope recipients.
    pub to: Vec<String>,
    /// The message as sent (headers and body).
    pub data: String,
}

impl Received {
    /// A header's value (unfolded), if the message has it.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or("");
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }

    /// A header's value with RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`) decoded.
    pub fn decoded_header(&self, name: &str) -> Option<String> {
        let raw = self.header(name)?;
        let mut out = String::new();
        let mut after_encoded = false;
        for (i, word) in raw.split(' ').enumerate() {
            let decoded = decode_word(word);
            // Whitespace between two encoded words is not part of the text (RFC 2047 §6.2).
            if i > 0 && !(after_encoded && decoded.is_some()) {
                out.push(' ');
            }
            after_encoded = decoded.is_some();
            out.push_str(decoded.as_deref().unwrap_or(word));
        }
        Some(out)
    }

    /// The body, with quoted-printable or base64 transfer encoding undone.
    pub fn body(&self) -> String {
        let body = self.data.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        match self
            .header("Content-Transfer-Encoding")
            .map(|e| e.to_ascii_lowercase())
            .as_deref()
        {
            Some("base64") => {
                use base64::Engine;
                let compact: String = body.split_whitespace().collect();
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(compact)
                    .expect("base64 body");
                String::from_utf8(bytes).expect("utf-8 body")
            }
            Some("quoted-printable") => quoted_printable(body),
            _ => body.to_owned(),
        }
    }
}

/// One RFC 2047 encoded word in UTF-8, or `None` when `word` is not one.
fn decode_word(word: &str) -> Option<String> {
    use base64::Engine;
    let inner = word.strip_prefix("=?")?.strip_suffix("?=")?;
    let mut parts = inner.splitn(3, '?');
    let charset = parts.next()?;
    let encoding = parts.next()?;
    let text = parts.next()?;
    if !charset.eq_ignore_ascii_case("utf-8") {
        return None;
    }
    match encoding.to_ascii_lowercase().as_str() {
        "b" => base64::engine::general_purpose::STANDARD
            .decode(text)
            .ok()
            .and_then(|b| String::from_utf8(b).ok()),
        "q" => Some(quoted_printable(&text.replace('_', " "))),
        _ => None,
    }
}

fn quoted_printable(body: &str) -> String {
    let soft = body.replace("=\r\n", "");
    let mut bytes = Vec::new();
    let mut chars = soft.bytes();
    while let Some(b) = chars.next() {
        if b == b'=' {
            let hex: Vec<u8> = chars.by_ref().take(2).collect();
            let text = std::str::from_utf8(&hex).expect("hex");
            bytes.push(u8::from_str_radix(text, 16).expect("qp escape"));
        } else {
            bytes.push(b);
        }
    }
    String::from_utf8(bytes).expect("utf-8 body")
}

/// The SMTP server; stopped when dropped.
pub struct SmtpSink {
    child: Child,
    /// Its port on 127.0.0.1.
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    arrived: Arc<Notify>,
}

/// The Python that has aiosmtpd: `AUTHLINK_TEST_PYTHON`, else where `scripts/setup.sh test`
/// installs it.
fn python() -> Option<PathBuf> {
    let path = std::env::var_os("AUTHLINK_TEST_PYTHON")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|home| PathBuf::from(home).join(".cache/authlink/smtp/bin/python"))
        })?;
    path.is_file().then_some(path)
}

impl SmtpSink {
    /// Starts a server that answers the first `refuse` messages with 451. `None` (outside CI)
    /// when aiosmtpd is not installed.
    pub async fn start(refuse: u32) -> Option<SmtpSink> {
        let Some(python) = python() else {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true but aiosmtpd is not installed: run scripts/setup.sh test");
            }
            eprintln!("SKIPPED an e-mail test: aiosmtpd is not installed (scripts/setup.sh test)");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py");
        let mut child = Command::new(python)
            .arg(script)
            .arg(port.to_string())
            .args(["--refuse", &refuse.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("aiosmtpd starts");
        let stdout = child.stdout.take().expect("stdout");
        let received = Arc::new(Mutex::new(Vec::new()));
        let arrived = Arc::new(Notify::new());
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
        {
            let received = received.clone();
            let arrived = arrived.clone();
            std::thread::spawn(move || {
                let mut ready = Some(ready_tx);
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    if line.starts_with("{\"ready\"") {
                        if let Some(tx) = ready.take() {
                            let _ = tx.send(());
                        }
                        continue;
                    }
                    if let Ok(message) = serde_json::from_str::<Received>(&line) {
                        received.lock().expect("lock").push(message);
                        arrived.notify_waiters();
                    }
                }
            });
        }
        tokio::time::timeout(Duration::from_secs(20), ready_rx)
            .await
            .expect("aiosmtpd listens within 20 s")
            .expect("aiosmtpd ready");
        Some(SmtpSink {
            child,
            port,
            received,
            arrived,
        })
    }

    /// `AUTHLINK_SMTP_URL` for this server (plain SMTP on loopback).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Everything accepted so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    /// Waits until `count` messages have arrived (at most 10 s) and returns them all.
    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        let wait = async {
            loop {
                let notified = self.arrived.notified();
                if self.received().len() >= count {
                    return self.received();
                }
                notified.await;
            }
        };
        tokio::time::timeout(Duration::from_secs(10), wait)
            .await
            .unwrap_or_else(|_| panic!("{count} e-mails did not arrive: {:?}", self.received()))
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
