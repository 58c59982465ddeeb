//! Slow-on-purpose password hashing (Argon2id, bcrypt) on a request path, bounded:
//! at most `permits` hashes at once (one per core by default), a caller waits at
//! most `wait` for one and is otherwise shed, so a login flood costs neither
//! unbounded CPU, nor memory (19 MiB of Argon2 memory per hash running), nor a queue.

use std::{sync::Arc, time::Duration};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Every permit is taken and none was freed within the wait: answer OVERLOADED.
#[derive(Debug, thiserror::Error)]
#[error("every password-hashing permit is taken")]
pub struct Shed;

#[derive(Debug, Clone)]
pub struct HashGate {
    permits: Arc<Semaphore>,
    wait: Duration,
}

impl HashGate {
    pub fn new(permits: usize, wait: Duration) -> Self {
        Self { permits: Arc::new(Semaphore::new(permits.max(1))), wait }
    }

    /// One permit per available core (a container's CPU limit counts).
    pub fn default_permits() -> usize {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    }

    /// A permit for one hash; move it into the blocking task that hashes, so a caller
    /// that goes away (timeout, cancel) cannot free it while the hash still runs.
    pub async fn admit(&self) -> Result<OwnedSemaphorePermit, Shed> {
        let permits = self.permits.clone();
        let acquired = if self.wait.is_zero() {
            permits.try_acquire_owned().ok()
        } else {
            tokio::time::timeout(self.wait, permits.acquire_owned()).await.ok().and_then(Result::ok)
        };
        acquired.ok_or(Shed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn beyond_the_permits_callers_are_shed_not_queued() {
        let gate = HashGate::new(1, Duration::ZERO);
        let held = gate.admit().await.expect("the one permit");
        assert!(gate.admit().await.is_err());
        drop(held);
        assert!(gate.admit().await.is_ok(), "freed");
    }

    #[tokio::test]
    async fn a_short_wait_gets_a_permit_freed_meanwhile() {
        let gate = HashGate::new(1, Duration::from_secs(5));
        let held = gate.admit().await.expect("the one permit");
        let waiter = tokio::spawn({
            let gate = gate.clone();
            async move { gate.admit().await.is_ok() }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        drop(held);
        assert!(waiter.await.expect("joins"), "waited for the freed permit");
    }
}
