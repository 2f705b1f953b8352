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

/// Builds the keyring the configuration asks for.
pub fn load_keyring(config: &Config) -> anyhow::Result<Keyring> {
    let retired: Vec<&str> = config
        .retired_master_keys
        .iter()
        .map(|k| k.expose_secret())
        .collect();
    if let Some(key) = &config.master_key {
        return Keyring::from_base64(key.expose_secret(), &retired)
            .map_err(|e| anyhow::anyhow!("AUTHLINK_MASTER_KEY: {e}"));
    }
    let path = config.data_dir.join(KEY_FILE);
    let text = read_or_create(&path)?;
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let Some(active) = lines.next() else {
        bail!(
            "{} is empty; restore it from a backup or set AUTHLINK_MASTER_KEY",
            path.display()
        );
    };
    let mut all_retired: Vec<&str> = lines.collect();
    all_retired.extend(retired);
    Keyring::from_base64(active, &all_retired)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
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
