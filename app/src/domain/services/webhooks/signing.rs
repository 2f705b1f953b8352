//! Signing per the Standard Webhooks specification: `webhook-signature: v1,<base64 HMAC-SHA256
//! of "{id}.{timestamp}.{body}">` under the endpoint's secret, which is stored sealed.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;

use crate::domain::crypto::{Aad, Keyring};
use crate::domain::entities::webhook_endpoint;
use crate::error::AppError;

pub(super) fn secret_aad(id: &str) -> Aad<'_> {
    Aad {
        table: "webhook_endpoints",
        column: "secret",
        row_id: id,
    }
}

/// A new signing secret: `whsec_` and 32 random bytes in base64.
pub(super) fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill(&mut bytes);
    format!("whsec_{}", BASE64.encode(bytes))
}

/// The `webhook-signature` value for one request: `v1,` and the base64 HMAC-SHA256 of
/// `{id}.{timestamp}.{body}` under the secret's decoded bytes.
pub fn sign(secret: &str, msg_id: &str, timestamp: i64, body: &[u8]) -> Result<String, AppError> {
    let key = BASE64
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .map_err(|_| AppError::Internal)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|_| AppError::Internal)?;
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(format!("v1,{}", BASE64.encode(mac.finalize().into_bytes())))
}

/// The endpoint's signing secret, decrypted.
pub(super) fn open_secret(
    keyring: &Keyring,
    endpoint: &webhook_endpoint::Model,
) -> Result<String, AppError> {
    let secret = keyring
        .open(&endpoint.secret, secret_aad(&endpoint.id.to_string()))
        .map_err(|e| {
            tracing::error!(endpoint_id = %endpoint.id, error = %e, "webhook secret cannot be decrypted");
            AppError::Internal
        })?;
    String::from_utf8(secret.to_vec()).map_err(|_| AppError::Internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_follow_the_standard_webhooks_example() {
        // The specification's published example.
        let signature = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        )
        .expect("signature");
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }
}
