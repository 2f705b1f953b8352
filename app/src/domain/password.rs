//! Admin passwords: argon2id at OWASP's parameters, hashed off the async runtime.

use std::sync::{Arc, Mutex};

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
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
///
/// The 19 MiB working areas are kept and reused rather than allocated per hash: freed blocks of
/// that size stay in the allocator's per-thread arenas, and a burst of sign-ins spread over the
/// blocking pool's threads used to leave hundreds of MiB resident.
pub struct PasswordHasher {
    params: Params,
    dummy_hash: String,
    permits: Arc<Semaphore>,
    memory: Arc<MemoryPool>,
    checks: Arc<std::sync::atomic::AtomicU64>,
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
        .map_err(AppError::internal("invalid argon2 parameters"))?;
        // Verifying against this hash when the account does not exist makes an unknown e-mail
        // cost the same time as a wrong password. Its working area is not kept: a server that
        // nobody signs in to holds none.
        let dummy_hash = hash_with(
            &params,
            "authlink-dummy-password-for-timing",
            &MemoryPool::new(&params),
        )?;
        Ok(Self {
            memory: Arc::new(MemoryPool::new(&params)),
            params,
            dummy_hash,
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            checks: Arc::default(),
        })
    }

    /// Hashes a password into a PHC string.
    pub async fn hash(&self, password: SecretString) -> Result<String, AppError> {
        let params = self.params.clone();
        let memory = self.memory.clone();
        self.run(move || hash_with(&params, password.expose_secret(), &memory))
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
        let memory = self.memory.clone();
        let checks = self.checks.clone();
        let matches = self
            .run(move || {
                checks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                verify_with(&hash, password.expose_secret(), &memory)
            })
            .await?;
        Ok(known && matches)
    }

    /// How many password checks ran (each a full argon2 verification, with or without an
    /// account): an unknown account and a wrong password both count one.
    pub fn checks(&self) -> u64 {
        self.checks.load(std::sync::atomic::Ordering::Relaxed)
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
        tokio::task::spawn_blocking(job)
            .await
            .map_err(AppError::internal("password hashing task failed"))?
    }
}

/// Working areas for argon2 at the configured work factors, reused across hashes. At most as
/// many exist as hashes may run at once (the semaphore's permits).
struct MemoryPool {
    blocks: usize,
    free: Mutex<Vec<Vec<Block>>>,
}

impl MemoryPool {
    fn new(params: &Params) -> Self {
        Self {
            blocks: params.block_count(),
            free: Mutex::default(),
        }
    }

    /// Runs `f` with a working area of exactly `blocks` blocks: a pooled one at the configured
    /// size, a temporary one for hashes stored under other work factors (older settings).
    fn with<T>(&self, blocks: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
        if blocks != self.blocks {
            return f(&mut vec![Block::default(); blocks]);
        }
        let free = || {
            self.free
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        let taken = free().pop();
        let mut area = taken.unwrap_or_else(|| vec![Block::default(); blocks]);
        let out = f(&mut area);
        free().push(area);
        out
    }
}

fn hash_with(params: &Params, password: &str, memory: &MemoryPool) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt
        .decode_b64(&mut salt_bytes)
        .map_err(AppError::internal("generated salt does not decode"))?;
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    memory
        .with(params.block_count(), |area| {
            argon2.hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, area)
        })
        .map_err(AppError::internal("password hashing failed"))?;
    let encoded = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params)
            .map_err(AppError::internal("argon2 parameters do not encode"))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(AppError::internal("argon2 output does not encode"))?),
    };
    Ok(encoded.to_string())
}

/// Whether `password` matches the PHC string `stored`, recomputed with the stored algorithm,
/// version and parameters and compared in constant time.
fn verify_with(stored: &str, password: &str, memory: &MemoryPool) -> Result<bool, AppError> {
    let corrupt = |e: &dyn std::fmt::Display| {
        tracing::error!(error = %e, "stored password hash is not a usable argon2 PHC string");
        AppError::Internal
    };
    let parsed = PasswordHash::new(stored).map_err(|e| corrupt(&e))?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return Err(corrupt(&"salt or hash missing"));
    };
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(|e| corrupt(&e))?;
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()
        .map_err(|e| corrupt(&e))?
        .unwrap_or_default();
    let params = Params::try_from(&parsed).map_err(|e| corrupt(&e))?;
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(|e| corrupt(&e))?;
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    memory
        .with(params.block_count(), |area| {
            argon2.hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, area)
        })
        .map_err(AppError::internal("password verification failed"))?;
    let computed = Output::new(&out).map_err(|e| corrupt(&e))?;
    // `Output`'s equality is constant-time.
    Ok(computed == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: WorkFactors = WorkFactors {
        memory_kib: 1024,
        iterations: 1,
        parallelism: 1,
    };

    /// Whether `password` verifies against `stored` (the call itself must succeed).
    async fn verifies(hasher: &PasswordHasher, password: &str, stored: &str) -> bool {
        hasher
            .verify(password.into(), Some(stored.to_owned()))
            .await
            .expect("verify")
    }

    #[tokio::test]
    async fn hash_verifies_and_is_argon2id() {
        let hasher = PasswordHasher::new(FAST, 2).expect("hasher");
        let hash = hasher
            .hash("correct horse battery".into())
            .await
            .expect("hash");
        assert!(hash.starts_with("$argon2id$v=19$"));
        assert!(verifies(&hasher, "correct horse battery", &hash).await);
        assert!(!verifies(&hasher, "wrong horse battery", &hash).await);
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

    #[tokio::test]
    async fn interoperates_with_the_reference_implementation() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};

        let hasher = PasswordHasher::new(FAST, 1).expect("hasher");
        // Ours verifies with the argon2 crate's own verifier…
        let ours = hasher.hash("pa55word!".into()).await.expect("hash");
        let parsed = PasswordHash::new(&ours).expect("PHC string");
        assert!(
            Argon2::default()
                .verify_password(b"pa55word!", &parsed)
                .is_ok()
        );
        assert!(
            Argon2::default()
                .verify_password(b"pa55word?", &parsed)
                .is_err()
        );
        // …and a hash made by it, under other work factors than ours (an older setting), verifies
        // with us, next to the pooled working area of another size.
        let params = Params::new(2048, 3, 1, None).expect("params");
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"older password", &salt)
            .expect("hash")
            .to_string();
        assert!(verifies(&hasher, "older password", &theirs).await);
        assert!(!verifies(&hasher, "older passwore", &theirs).await);
        let pooled = hasher.memory.free.lock().expect("pool");
        assert!(
            pooled.iter().all(|area| area.len() == hasher.memory.blocks),
            "an area of another size is not kept"
        );
    }

    #[tokio::test]
    async fn a_corrupt_stored_hash_is_an_error_not_a_match() {
        let hasher = PasswordHasher::new(FAST, 1).expect("hasher");
        for stored in ["", "plain", "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ"] {
            assert!(
                hasher
                    .verify("x".into(), Some(stored.to_owned()))
                    .await
                    .is_err(),
                "{stored:?}"
            );
        }
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
