//! Each service of `beian up` on a runtime of its own, whose threads report to
//! that service's subscriber: every span a service makes (its server, its
//! background tasks, its calls to peers) carries its own `service.name`, as when
//! the five run as separate processes.

use std::{cell::RefCell, future::Future};

use tokio::{runtime::Runtime, task::JoinHandle};
use tracing::{Dispatch, dispatcher::DefaultGuard};

thread_local! {
    /// The service's subscriber, installed for the life of each of its threads.
    static SUBSCRIBER: RefCell<Option<DefaultGuard>> = const { RefCell::new(None) };
}

/// Where each service's tasks run: its own runtime, or (none given: the tests,
/// which install one subscriber for the whole suite) the caller's.
#[derive(Debug, Default)]
pub struct Runtimes(Vec<(&'static str, Runtime)>);

impl Runtimes {
    /// One multi-threaded runtime per `(service, subscriber)`.
    pub fn new(services: &[(&'static str, Dispatch)]) -> std::io::Result<Self> {
        let mut runtimes = Self::default();
        for (service, dispatch) in services {
            let dispatch = dispatch.clone();
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .thread_name(*service)
                .enable_all()
                .on_thread_start(move || {
                    let guard = tracing::dispatcher::set_default(&dispatch);
                    SUBSCRIBER.with(|installed| *installed.borrow_mut() = Some(guard));
                })
                .on_thread_stop(|| SUBSCRIBER.with(|installed| drop(installed.borrow_mut().take())))
                .build()?;
            runtimes.0.push((*service, runtime));
        }
        Ok(runtimes)
    }

    /// Runs `future` where `service` runs.
    pub fn spawn<F>(&self, service: &str, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self.0.iter().find(|(name, _)| *name == service) {
            Some((_, runtime)) => runtime.spawn(future),
            None => tokio::spawn(future),
        }
    }
}

impl Drop for Runtimes {
    /// By now every service has stopped (or failed to start); dropping a runtime
    /// would block, which an async caller must not do.
    fn drop(&mut self) {
        for (_, runtime) in self.0.drain(..) {
            runtime.shutdown_background();
        }
    }
}
