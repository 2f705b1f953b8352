//! Secrets at rest and random tokens.
//!
//! * [`Keyring`] encrypts third-party secrets with XChaCha20-Poly1305. Every envelope names the
//!   key that sealed it, and the caller's [`Aad`] binds the ciphertext to its row and column, so a
//!   ciphertext copied into another row fails to open. Several keys may be loaded at once: the
//!   active one seals, all of them open, which is what rotation without downtime needs.
//! * [`new_token`] and [`token_hash`] ([`token`]) make the bearer tokens of design §5.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

mod token;

pub use token::{Token, TokenHash, new_token, token_hash};

/// Envelope format version; bump when the layout changes.
const ENVELOPE_VERSION: u8 = 1;
const KEY_ID_LEN: usize = 8;
const NONCE_LEN: usize = 24;
const HEADER_LEN: usize = 1 + KEY_ID_LEN + NONCE_LEN;
/// The shortest master key accepted, in bytes.
pub const MASTER_KEY_MIN_BYTES: usize = 32;

/// Why a master key or an envelope was rejected. Deliberately vague about contents.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    /// The configured key is not valid base64.
    #[error("the master key is not valid base64")]
    KeyEncoding,
    /// The configured key is too short.
    #[error("the master key must decode to at least {MASTER_KEY_MIN_BYTES} bytes, got {0}")]
    KeyTooShort(usize),
    /// No key with the envelope's key id is loaded.
    #[error("the secret was sealed with a key that is not loaded (key id {0})")]
    UnknownKey(String),
    /// The envelope is malformed, was tampered with, or belongs to another row.
    #[error("the secret could not be decrypted")]
    Decrypt,
    /// Encryption failed (should not happen with valid inputs).
    #[error("the secret could not be encrypted")]
    Encrypt,
}

/// Associated data binding a ciphertext to where it is stored.
#[derive(Debug, Clone, Copy)]
pub struct Aad<'a> {
    /// Table name, e.g. `connections`.
    pub table: &'a str,
    /// Column name, e.g. `credentials`.
    pub column: &'a str,
    /// The row's primary key in its textual form.
    pub row_id: &'a str,
}

impl Aad<'_> {
    fn bytes(&self, header: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            header.len() + self.table.len() + self.column.len() + self.row_id.len() + 3,
        );
        out.extend_from_slice(header);
        // Length-prefixing would also do; the separators cannot appear in table/column names.
        for part in [self.table, self.column, self.row_id] {
            out.push(0x1f);
            out.extend_from_slice(part.as_bytes());
        }
        out
    }
}

struct LoadedKey {
    id: [u8; KEY_ID_LEN],
    cipher: XChaCha20Poly1305,
    /// Root of the secrets derived from this key for other purposes ([`Keyring::derived_secret`]).
    derivation: Zeroizing<[u8; 32]>,
}

/// The master keys in use: one active key that seals, any number of retired keys that only open.
///
/// A keyring built [`with_reload`](Keyring::with_reload) reads its keys again when it meets an
/// envelope sealed by a key it does not know: a key added by `authlink keys
/// rotate` while the server runs is picked up without a restart.
pub struct Keyring {
    keys: std::sync::RwLock<std::sync::Arc<KeySet>>,
    reload: Option<Reload>,
}

struct KeySet {
    active: LoadedKey,
    retired: Vec<LoadedKey>,
}

impl KeySet {
    fn find(&self, id: &[u8]) -> Option<&LoadedKey> {
        std::iter::once(&self.active)
            .chain(&self.retired)
            .find(|k| k.id == id)
    }
}

type LoadKeys = dyn Fn() -> Option<Keyring> + Send + Sync;

struct Reload {
    load: Box<LoadKeys>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys = self.current();
        f.debug_struct("Keyring")
            .field("active_key_id", &hex::encode(keys.active.id))
            .field("retired_keys", &keys.retired.len())
            .finish()
    }
}

impl Keyring {
    /// Builds a keyring from raw key material; `retired` keys only decrypt.
    pub fn new(active: &[u8], retired: &[&[u8]]) -> Result<Self, CryptoError> {
        let keys = KeySet {
            active: LoadedKey::derive(active)?,
            retired: retired
                .iter()
                .map(|k| LoadedKey::derive(k))
                .collect::<Result<_, _>>()?,
        };
        Ok(Self {
            keys: std::sync::RwLock::new(std::sync::Arc::new(keys)),
            reload: None,
        })
    }

    /// This keyring, reading its keys again through `load` when an envelope names an unknown
    /// key; `load` answers `None` when the keys cannot be read (the current ones stay).
    pub fn with_reload(
        mut self,
        load: impl Fn() -> Option<Keyring> + Send + Sync + 'static,
    ) -> Self {
        self.reload = Some(Reload {
            load: Box::new(load),
        });
        self
    }

    fn current(&self) -> std::sync::Arc<KeySet> {
        self.keys
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Reads the keys again (a keyring built [`with_reload`](Keyring::with_reload)); whether
    /// anything was read. The server asks every minute, so that a key added by rotation seals
    /// new values soon. (Opening reloads too, at once: a value may have been re-sealed under
    /// the new key a moment after it was added. Reading a key file costs next to nothing.)
    pub fn reload(&self) -> bool {
        let Some(reload) = &self.reload else {
            return false;
        };
        let Some(fresh) = (reload.load)() else {
            return false;
        };
        let fresh = fresh.current();
        *self
            .keys
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = fresh;
        true
    }

    /// The ids (hex) of the loaded keys, the active one first.
    pub fn key_ids(&self) -> Vec<String> {
        let keys = self.current();
        std::iter::once(&keys.active)
            .chain(&keys.retired)
            .map(|k| hex::encode(k.id))
            .collect()
    }

    /// Builds a keyring from base64 key strings (standard or URL-safe alphabet).
    pub fn from_base64(active: &str, retired: &[&str]) -> Result<Self, CryptoError> {
        let active = decode_key(active)?;
        let retired = retired
            .iter()
            .map(|k| decode_key(k))
            .collect::<Result<Vec<_>, _>>()?;
        let retired_refs: Vec<&[u8]> = retired.iter().map(|k| k.as_slice()).collect();
        Self::new(&active, &retired_refs)
    }

    /// The id of the key that seals new secrets (hex), e.g. for logs and `keys` commands.
    pub fn active_key_id(&self) -> String {
        hex::encode(self.current().active.id)
    }

    /// Encrypts `plaintext` for storage at `aad`.
    pub fn seal(&self, plaintext: &[u8], aad: Aad<'_>) -> Result<Vec<u8>, CryptoError> {
        let keys = self.current();
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        let mut envelope = Vec::with_capacity(HEADER_LEN + plaintext.len() + 16);
        envelope.push(ENVELOPE_VERSION);
        envelope.extend_from_slice(&keys.active.id);
        envelope.extend_from_slice(&nonce);
        let aad_bytes = aad.bytes(&envelope[..1 + KEY_ID_LEN]);
        let ciphertext = keys
            .active
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad_bytes,
                },
            )
            .map_err(|_| CryptoError::Encrypt)?;
        envelope.extend_from_slice(&ciphertext);
        Ok(envelope)
    }

    /// Decrypts an envelope made by [`Keyring::seal`] for the same `aad`.
    pub fn open(&self, envelope: &[u8], aad: Aad<'_>) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        if envelope.len() < HEADER_LEN + 16 || envelope[0] != ENVELOPE_VERSION {
            return Err(CryptoError::Decrypt);
        }
        let key_id = &envelope[1..1 + KEY_ID_LEN];
        let mut keys = self.current();
        if keys.find(key_id).is_none() && self.reload() {
            keys = self.current();
        }
        let key = keys
            .find(key_id)
            .ok_or_else(|| CryptoError::UnknownKey(hex::encode(key_id)))?;
        let nonce = &envelope[1 + KEY_ID_LEN..HEADER_LEN];
        let aad_bytes = aad.bytes(&envelope[..1 + KEY_ID_LEN]);
        key.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: &envelope[HEADER_LEN..],
                    aad: &aad_bytes,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| CryptoError::Decrypt)
    }

    /// A secret for `purpose` derived from the active key (HMAC-SHA256, domain-separated from
    /// the encryption key): the same on every instance that shares the key, and revealing nothing
    /// about the key or about secrets derived for other purposes.
    pub fn derived_secret(&self, purpose: &str) -> Zeroizing<[u8; 32]> {
        use hmac::{Hmac, Mac};
        let keys = self.current();
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(keys.active.derivation.as_ref())
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(purpose.as_bytes());
        Zeroizing::new(mac.finalize().into_bytes().into())
    }

    /// Whether `envelope` was sealed with a key other than the active one (needs re-encryption).
    pub fn needs_rotation(&self, envelope: &[u8]) -> bool {
        envelope.get(1..1 + KEY_ID_LEN) != Some(&self.current().active.id[..])
    }

    /// The id (hex) of the key that sealed `envelope`, if it looks like one of ours.
    pub fn sealed_by(envelope: &[u8]) -> Option<String> {
        if envelope.len() < HEADER_LEN + 16 || envelope[0] != ENVELOPE_VERSION {
            return None;
        }
        Some(hex::encode(&envelope[1..1 + KEY_ID_LEN]))
    }
}

impl LoadedKey {
    fn derive(material: &[u8]) -> Result<Self, CryptoError> {
        if material.len() < MASTER_KEY_MIN_BYTES {
            return Err(CryptoError::KeyTooShort(material.len()));
        }
        // Domain-separated derivation: the configured material may be longer than 32 bytes, and
        // the key id must reveal nothing about the key itself.
        let key: Zeroizing<[u8; 32]> =
            Zeroizing::new(Sha256::digest([b"authlink/aead/v1\0", material].concat()).into());
        let id_digest = Sha256::digest([b"authlink/key-id/v1\0", material].concat());
        let mut id = [0u8; KEY_ID_LEN];
        id.copy_from_slice(&id_digest[..KEY_ID_LEN]);
        let cipher =
            XChaCha20Poly1305::new_from_slice(key.as_ref()).map_err(|_| CryptoError::Encrypt)?;
        let derivation =
            Zeroizing::new(Sha256::digest([b"authlink/derive/v1\0", material].concat()).into());
        Ok(Self {
            id,
            cipher,
            derivation,
        })
    }
}

fn decode_key(text: &str) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let text = text.trim();
    STANDARD
        .decode(text)
        .or_else(|_| URL_SAFE.decode(text))
        .or_else(|_| URL_SAFE_NO_PAD.decode(text))
        .map(Zeroizing::new)
        .map_err(|_| CryptoError::KeyEncoding)
}

/// Fresh key material for a new master key, base64-encoded.
pub fn generate_master_key() -> Zeroizing<String> {
    let mut key = Zeroizing::new([0u8; 32]);
    OsRng.fill_bytes(key.as_mut());
    Zeroizing::new(STANDARD.encode(key.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROW: Aad<'static> = Aad {
        table: "connections",
        column: "credentials",
        row_id: "row-1",
    };

    fn keyring() -> Keyring {
        Keyring::new(&[7u8; 32], &[]).expect("valid key")
    }

    #[test]
    fn sealed_secret_opens_with_the_same_row_binding() {
        let ring = keyring();
        let envelope = ring.seal(b"xoxb-secret", ROW).expect("seal");
        assert_eq!(
            ring.open(&envelope, ROW).expect("open").as_slice(),
            b"xoxb-secret"
        );
        assert!(!envelope.windows(11).any(|w| w == b"xoxb-secret"));
    }

    #[test]
    fn ciphertext_moved_to_another_row_does_not_open() {
        let ring = keyring();
        let envelope = ring.seal(b"secret", ROW).expect("seal");
        let other_row = Aad {
            row_id: "row-2",
            ..ROW
        };
        let other_column = Aad {
            column: "client_secret",
            ..ROW
        };
        assert_eq!(ring.open(&envelope, other_row), Err(CryptoError::Decrypt));
        assert_eq!(
            ring.open(&envelope, other_column),
            Err(CryptoError::Decrypt)
        );
    }

    #[test]
    fn tampering_is_detected() {
        let ring = keyring();
        let mut envelope = ring.seal(b"secret", ROW).expect("seal");
        let last = envelope.len() - 1;
        envelope[last] ^= 1;
        assert_eq!(ring.open(&envelope, ROW), Err(CryptoError::Decrypt));
        assert_eq!(ring.open(&envelope[..10], ROW), Err(CryptoError::Decrypt));
    }

    #[test]
    fn same_plaintext_seals_differently_each_time() {
        let ring = keyring();
        assert_ne!(
            ring.seal(b"x", ROW).expect("seal"),
            ring.seal(b"x", ROW).expect("seal")
        );
    }

    #[test]
    fn rotation_keeps_old_secrets_readable_and_seals_with_the_new_key() {
        let old = Keyring::new(&[1u8; 32], &[]).expect("old");
        let envelope = old.seal(b"secret", ROW).expect("seal");

        let rotated = Keyring::new(&[2u8; 32], &[&[1u8; 32]]).expect("rotated");
        assert!(rotated.needs_rotation(&envelope));
        assert_eq!(
            rotated.open(&envelope, ROW).expect("open").as_slice(),
            b"secret"
        );
        let resealed = rotated.seal(b"secret", ROW).expect("seal");
        assert!(!rotated.needs_rotation(&resealed));

        let without_old = Keyring::new(&[2u8; 32], &[]).expect("new only");
        assert!(matches!(
            without_old.open(&envelope, ROW),
            Err(CryptoError::UnknownKey(_))
        ));
    }

    #[test]
    fn a_reloading_keyring_picks_up_a_key_added_after_it_was_built() {
        let running = Keyring::new(&[1u8; 32], &[])
            .expect("old")
            .with_reload(|| Keyring::new(&[2u8; 32], &[&[1u8; 32]]).ok());
        let rotated = Keyring::new(&[2u8; 32], &[&[1u8; 32]]).expect("rotated");
        let envelope = rotated.seal(b"secret", ROW).expect("seal");
        assert_eq!(Keyring::sealed_by(&envelope), Some(rotated.active_key_id()));
        assert_eq!(
            running.open(&envelope, ROW).expect("reloaded").as_slice(),
            b"secret"
        );
        assert_eq!(running.active_key_id(), rotated.active_key_id());
        assert_eq!(running.key_ids(), rotated.key_ids());

        let fixed = Keyring::new(&[1u8; 32], &[]).expect("old");
        assert!(matches!(
            fixed.open(&envelope, ROW),
            Err(CryptoError::UnknownKey(_))
        ));
    }

    #[test]
    fn short_or_garbled_master_keys_are_refused() {
        assert_eq!(
            Keyring::new(&[0u8; 16], &[]).err(),
            Some(CryptoError::KeyTooShort(16))
        );
        assert_eq!(
            Keyring::from_base64("not base64!!", &[]).err(),
            Some(CryptoError::KeyEncoding)
        );
        let generated = generate_master_key();
        assert!(Keyring::from_base64(&generated, &[]).is_ok());
    }

    #[test]
    fn derived_secrets_depend_on_key_and_purpose_only() {
        let ring = keyring();
        let again = Keyring::new(&[7u8; 32], &[&[9u8; 32]]).expect("same active key");
        let other = Keyring::new(&[8u8; 32], &[]).expect("other key");
        assert_eq!(*ring.derived_secret("a"), *again.derived_secret("a"));
        assert_ne!(*ring.derived_secret("a"), *ring.derived_secret("b"));
        assert_ne!(*ring.derived_secret("a"), *other.derived_secret("a"));
    }

    #[test]
    fn key_id_does_not_reveal_the_key() {
        let ring = keyring();
        assert_eq!(ring.active_key_id().len(), 16);
        assert!(!format!("{ring:?}").contains("0707"));
    }
}
