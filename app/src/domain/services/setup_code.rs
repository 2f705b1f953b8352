//! The one-time setup code: until the owner account exists, a server that other machines can
//! reach creates it only for someone who has read the server's log, so the first stranger to
//! find a fresh installation cannot claim it.
//!
//! The code is derived from the master key, so every instance sharing the key prints the same
//! one and a restart keeps it; once setup is done it opens nothing.

use crate::domain::crypto::Keyring;
use crate::error::AppError;

/// Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L, U).
const ALPHABET: &[u8; 32] = b"ABCDEFGHJKMNPQRSTVWXYZ0123456789";
const GROUPS: usize = 4;
const GROUP_LEN: usize = 4;

/// The setup code, as printed: four groups of four characters (80 bits), e.g. `K7QM-…`.
pub fn code(keyring: &Keyring) -> String {
    let secret = keyring.derived_secret("authlink/setup-code/v1");
    let mut out = String::with_capacity(GROUPS * (GROUP_LEN + 1));
    for (i, byte) in secret.iter().take(GROUPS * GROUP_LEN).enumerate() {
        if i > 0 && i % GROUP_LEN == 0 {
            out.push('-');
        }
        out.push(char::from(ALPHABET[usize::from(byte % 32)]));
    }
    out
}

/// Whether `typed` is the setup code, ignoring case, spaces and dashes.
pub fn matches(keyring: &Keyring, typed: &str) -> bool {
    let normalized: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect();
    let expected: String = code(keyring).chars().filter(|c| *c != '-').collect();
    subtle::ConstantTimeEq::ct_eq(normalized.as_bytes(), expected.as_bytes()).into()
}

/// Refuses an owner setup without the right code when the server asks for one.
pub fn check(keyring: &Keyring, required: bool, typed: Option<&str>) -> Result<(), AppError> {
    if !required || typed.is_some_and(|t| matches(keyring, t)) {
        return Ok(());
    }
    Err(AppError::Validation(
        "The setup code is not right. Authlink prints it in its log when it starts; copy it from there."
            .into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_is_stable_per_key_and_typed_loosely() {
        let ring = Keyring::new(&[3u8; 32], &[]).expect("key");
        let code = code(&ring);
        assert_eq!(code.len(), 19);
        assert_eq!(
            code,
            super::code(&Keyring::new(&[3u8; 32], &[]).expect("key"))
        );
        assert_ne!(
            code,
            super::code(&Keyring::new(&[4u8; 32], &[]).expect("key"))
        );
        assert!(matches(&ring, &code));
        assert!(matches(
            &ring,
            &format!(" {} ", code.to_lowercase().replace('-', " "))
        ));
        assert!(!matches(&ring, &code[..18]));
        assert!(!matches(&ring, ""));
        assert!(check(&ring, true, None).is_err());
        assert!(check(&ring, true, Some("nope")).is_err());
        assert!(check(&ring, true, Some(&code)).is_ok());
        assert!(check(&ring, false, None).is_ok());
    }
}
