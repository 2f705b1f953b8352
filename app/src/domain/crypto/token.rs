//! The bearer tokens of design §5: 256 bits from the OS CSPRNG, URL-safe, handed out once and
//! stored only as SHA-256.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

/// A secret token we hand out once (a link token, an exchange code, an API key's random part,
/// an OAuth `state`): 256 bits from the OS CSPRNG, base64url without padding (43 characters).
/// Its `Debug` shows nothing of it, so it cannot end up in a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// A fresh token.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The token itself, for the one answer that hands it out.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Its hash, the form that is stored.
    pub fn hash(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(…)")
    }
}

/// The SHA-256 of a token: the only form in which tokens are stored and looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenHash([u8; 32]);

impl TokenHash {
    /// The hash of a token as presented (by a browser, a backend, a provider).
    pub fn of(token: &str) -> Self {
        Self(Sha256::digest(token.as_bytes()).into())
    }

    /// The bytes, as stored.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bytes, to store.
    pub fn to_vec(self) -> Vec<u8> {
        self.0.to_vec()
    }
}

impl From<TokenHash> for sea_orm::Value {
    fn from(hash: TokenHash) -> Self {
        hash.to_vec().into()
    }
}

/// A new token.
pub fn new_token() -> Token {
    Token::generate()
}

/// The hash of a token as presented.
pub fn token_hash(token: &str) -> TokenHash {
    TokenHash::of(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_bits_are_uniform_and_tokens_never_repeat() {
        // 20,000 tokens: each of the 256 bit positions is set in 45–55 % of them. One standard
        // deviation is 0.35 %, so a fair generator never fails this (14 σ), while a stuck bit,
        // a biased encoding or a repeating seed fails it every time.
        const N: usize = 20_000;
        let mut counts = [0usize; 256];
        let mut seen = std::collections::HashSet::new();
        for _ in 0..N {
            let token = new_token();
            let bytes = URL_SAFE_NO_PAD.decode(token.expose()).expect("base64url");
            assert_eq!(bytes.len(), 32);
            for (i, byte) in bytes.iter().enumerate() {
                for bit in 0..8 {
                    counts[i * 8 + bit] += usize::from(byte >> bit & 1);
                }
            }
            assert!(seen.insert(bytes), "a token repeated");
        }
        for (position, count) in counts.iter().enumerate() {
            assert!(
                (N * 45 / 100..=N * 55 / 100).contains(count),
                "bit {position} set in {count} of {N} tokens"
            );
        }
    }

    #[test]
    fn tokens_are_256_bit_url_safe_and_hashed_to_sha256() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert_eq!(a.expose().len(), 43);
        assert!(
            a.expose()
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert_eq!(a.hash().as_bytes().len(), 32);
        assert_eq!(a.hash(), token_hash(a.expose()));
        assert!(!format!("{a:?}").contains(a.expose()));
    }
}
