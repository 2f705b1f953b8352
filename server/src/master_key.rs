//! Loading the master key: from `AUTHLINK_MASTER_KEY`, or for the embedded default from
//! `<data dir>/master.key`, generated on first run with 0600 permissions.
//!
//! The key file holds one base64 key per line: the first line is the active key, later lines are
//! retired keys that still decrypt (rotation).

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};
use app::domain::Keyring;
use app::domain::crypto::generate_master_key;
use secrecy::ExposeSecret;

use crate::config::Config;

/// File name of the generated key inside the data directory.
pub const KEY_FILE: &str = "master.key";

/// Builds the keyring the configuration asks for. A keyring from the key file reads the file
/// again when it meets a key it does not know (or [`Keyring::reload`] asks), so a key that
/// `authlink keys rotate` adds reaches a running server without a restart.
pub fn load_keyring(config: &Config) -> anyhow::Result<Keyring> {
    let retired: Vec<String> = config
        .retired_master_keys
        .iter()
        .map(|k| k.expose_secret().to_owned())
        .collect();
    if let Some(key) = &config.master_key {
        let retired: Vec<&str> = retired.iter().map(String::as_str).collect();
        return Keyring::from_base64(key.expose_secret(), &retired)
            .map_err(|e| anyhow::anyhow!("AUTHLINK_MASTER_KEY: {e}"));
    }
    let path = config.data_dir.join(KEY_FILE);
    let text = read_or_create(&path)?;
    let keyring = parse_key_file(&text, &retired, &path)?;
    Ok(keyring.with_reload(move || {
        let text = fs::read_to_string(&path).ok()?;
        match parse_key_file(&text, &retired, &path) {
            Ok(keyring) => Some(keyring),
            Err(e) => {
                tracing::warn!(error = %e, "the key file changed but cannot be read; the loaded keys stay");
                None
            }
        }
    }))
}

fn parse_key_file(text: &str, retired: &[String], path: &Path) -> anyhow::Result<Keyring> {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let Some(active) = lines.next() else {
        bail!(
            "{} is empty; restore it from a backup or set AUTHLINK_MASTER_KEY",
            path.display()
        );
    };
    let mut all_retired: Vec<&str> = lines.collect();
    all_retired.extend(retired.iter().map(String::as_str));
    Keyring::from_base64(active, &all_retired)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Adds a freshly generated key to the key file as its active key; the keys it held stay as
/// retired keys. The file is replaced atomically (written beside it, then renamed), so a crash
/// leaves either the old or the new file. Refused when `AUTHLINK_MASTER_KEY` is set.
pub fn add_key(config: &Config) -> anyhow::Result<Keyring> {
    if config.master_key.is_some() {
        bail!(
            "AUTHLINK_MASTER_KEY is set, so the key is not in a file: put a new key there and the \
             old one in AUTHLINK_RETIRED_MASTER_KEYS (on every server), then run `authlink keys rotate`"
        );
    }
    let path = config.data_dir.join(KEY_FILE);
    let old = read_or_create(&path)?;
    let key = generate_master_key();
    let mut text = zeroize::Zeroizing::new(String::with_capacity(old.len() + key.len() + 1));
    text.push_str(&key);
    text.push('\n');
    text.push_str(&old);
    if !old.ends_with('\n') {
        text.push('\n');
    }
    let staged = path.with_extension("key.new");
    let _ = fs::remove_file(&staged);
    let mut file = create_new_private(&staged)
        .with_context(|| format!("cannot create {}", staged.display()))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", staged.display()))?;
    fs::rename(&staged, &path).with_context(|| format!("cannot replace {}", path.display()))?;
    let retired: Vec<String> = config
        .retired_master_keys
        .iter()
        .map(|k| k.expose_secret().to_owned())
        .collect();
    parse_key_file(&text, &retired, &path)
}

fn read_or_create(path: &Path) -> anyhow::Result<String> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| {
            format!(
                "cannot create the data directory {} (AUTHLINK_DATA_DIR)",
                dir.display()
            )
        })?;
    }
    match create_new_private(path) {
        Ok(mut file) => {
            let key = generate_master_key();
            file.write_all(key.as_bytes())
                .and_then(|()| file.write_all(b"\n"))
                .and_then(|()| file.sync_all())
                .with_context(|| format!("cannot write {}", path.display()))?;
            tracing::warn!(
                path = %path.display(),
                "generated a new master key; back it up: without it the stored secrets cannot be read"
            );
            Ok(key.to_string())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            check_private(path)?;
            fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
        }
        Err(e) => Err(e).with_context(|| format!("cannot create {}", path.display())),
    }
}

#[cfg(unix)]
fn create_new_private(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn create_new_private(path: &Path) -> std::io::Result<fs::File> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(unix)]
fn check_private(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        bail!(
            "{} is readable by other users (mode {:o}); run `chmod 600 {}`",
            path.display(),
            mode & 0o777,
            path.display()
        );
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> anyhow::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_in(dir: &Path, key: Option<&str>) -> Config {
        let dir = dir.to_string_lossy().into_owned();
        let key = key.map(str::to_owned);
        Config::from_lookup(move |name| match name {
            "AUTHLINK_DATA_DIR" => Some(dir.clone()),
            "AUTHLINK_MASTER_KEY" => key.clone(),
            _ => None,
        })
        .expect("valid config")
    }

    #[test]
    fn first_run_generates_a_private_key_file_and_reuses_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = config_in(dir.path(), None);
        let first = load_keyring(&config).expect("generated");
        let second = load_keyring(&config).expect("reloaded");
        assert_eq!(first.active_key_id(), second.active_key_id());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(KEY_FILE))
                .expect("file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_key_file_readable_by_others_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let config = config_in(dir.path(), None);
        load_keyring(&config).expect("generated");
        let path = dir.path().join(KEY_FILE);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).expect("chmod");
        let err = load_keyring(&config).expect_err("must refuse");
        assert!(err.to_string().contains("chmod 600"), "{err}");
    }

    #[test]
    fn configured_key_wins_and_short_keys_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = generate_master_key();
        let ring = load_keyring(&config_in(dir.path(), Some(&key))).expect("configured");
        assert!(!dir.path().join(KEY_FILE).exists());
        assert_eq!(ring.active_key_id().len(), 16);

        let err = load_keyring(&config_in(dir.path(), Some("c2hvcnQ="))).expect_err("short");
        assert!(err.to_string().contains("AUTHLINK_MASTER_KEY"), "{err}");
    }
}
