//! Admin passwords: argon2id at OWASP's parameters, hashed off the async runtime.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::rngs::OsRng;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;

use crate::error::AppError;

/// argon2id work factors.
#[derive(Debug, Clone, Copy)]
pub struct WorkFactors {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Iterations.
    pub iterations: u32,
    /// Parallelism.
    pub parallelism: u32,
}

impl WorkFactors {
    /// OWASP's recommendation for argon2id: 19 MiB, t=2, p=1.
    pub const OWASP: WorkFactors = WorkFactors {
        memory_kib: 19 * 1024,
        iterations: 2,
        parallelism: 1,
    };
}

/// Hashes and verifies passwords on the blocking pool, a bounded number at a time so that a burst
/// of sign-ins cannot exhaust memory (each hash holds 19 MiB).
pub struct PasswordHasher {
    params: Params,
    dummy_hash: String,
    permits: Arc<Semaphore>,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

impl PasswordHasher {
    /// A hasher with the given work factors; at most `concurrency` hashes run at once.
    pub fn new(factors: WorkFactors, concurrency: usize) -> Result<Self, AppError> {
        let params = Params::new(
            factors.memory_kib,
            factors.iterations,
            factors.parallelism,
            None,
        )
        .map_err(|e| {
            tracing::error!(error = %e, "invalid argon2 parameters");
            AppError::Internal
        })?;
        // Verifying against this hash when the account does not exist makes an unknown e-mail
        // cost the same time as a wrong password.
        let dummy_hash = hash_with(&params, "authlink-dummy-password-for-timing")?;
        Ok(Self {
            params,
            dummy_hash,
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
        })
    }

    /// Hashes a password into a PHC string.
    pub async fn hash(&self, password: SecretString) -> Result<String, AppError> {
        let params = self.params.clone();
        self.run(move || hash_with(&params, password.expose_secret()))
            .await
    }

    /// Checks `password` against `stored`; with `None` it checks against a dummy hash and fails,
    /// taking the same time.
    pub async fn verify(
        &self,
        password: SecretString,
        stored: Option<String>,
    ) -> Result<bool, AppError> {
        let (hash, known) = match stored {
            Some(h) => (h, true),
            None => (self.dummy_hash.clone(), false),
        };
        let matches = self
            .run(move || {
                let parsed = PasswordHash::new(&hash).map_err(|e| {
                    tracing::error!(error = %e, "stored password hash is not a PHC string");
                    AppError::Internal
                })?;
                Ok(Argon2::default()
                    .verify_password(password.expose_secret().as_bytes(), &parsed)
                    .is_ok())
            })
            .await?;
        Ok(known && matches)
    }

    async fn run<T, F>(&self, job: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T, AppError> + Send + 'static,
    {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| AppError::Internal)?;
        tokio::task::spawn_blocking(job).await.map_err(|e| {
            tracing::error!(error = %e, "password hashing task failed");
            AppError::Internal
        })?
    }
}

fn hash_with(params: &Params, password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            AppError::Internal
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: WorkFactors = WorkFactors {
        memory_kib: 1024,
        iterations: 1,
        parallelism: 1,
    };

    #[tokio::test]
    async fn hash_verifies_and_is_argon2id() {
        let hasher = PasswordHasher::new(FAST, 2).expect("hasher");
        let hash = hasher
            .hash("correct horse battery".into())
            .await
            .expect("hash");
        assert!(hash.starts_with("$argon2id$v=19$"));
        assert!(
            hasher
                .verify("correct horse battery".into(), Some(hash.clone()))
                .await
                .expect("verify")
        );
        assert!(
            !hasher
                .verify("wrong horse battery".into(), Some(hash))
                .await
                .expect("verify")
        );
    }

    #[tokio::test]
    async fn unknown_account_never_verifies() {
        let hasher = PasswordHasher::new(FAST, 1).expect("hasher");
        // Even the dummy password itself does not pass when there is no account.
        assert!(
            !hasher
                .verify("authlink-dummy-password-for-timing".into(), None)
                .await
                .expect("verify")
        );
    }

    #[test]
    fn owasp_parameters_are_what_we_promise() {
        let hasher = PasswordHasher::new(WorkFactors::OWASP, 1).expect("hasher");
        assert_eq!(hasher.params.m_cost(), 19456);
        assert_eq!(hasher.params.t_cost(), 2);
        assert_eq!(hasher.params.p_cost(), 1);
        assert!(hasher.dummy_hash.contains("m=19456,t=2,p=1"));
    }
}
