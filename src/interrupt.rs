//! A request to stop a run (SIGINT, SIGTERM), shared between whoever receives the signal and
//! the stages that must react to it.
//!
//! The run reacts in three steps: no new probe is sent once the request is raised; probes in
//! flight get [`GRACE`] to finish and are abandoned after it; then the facts gathered so far are
//! judged and the reports written, marked incomplete with what was covered. Receiving the
//! signal is the binary's business: the library only reads the request.

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// How long probes in flight may take to finish once a stop was requested.
pub const GRACE: Duration = Duration::from_secs(2);

/// A stop request; clones share it. The default is never raised unless [`Interrupt::raise`]
/// is called.
#[derive(Debug, Clone, Default)]
pub struct Interrupt(Arc<Inner>);

#[derive(Debug, Default)]
struct Inner {
    signal: AtomicI32,
    raised_at: OnceLock<Instant>,
}

impl Interrupt {
    /// A request nobody has raised yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Raises the request for `signal` (its number, e.g. 2 for SIGINT); the first one counts.
    pub fn raise(&self, signal: i32) {
        if self
            .0
            .signal
            .compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            let _ = self.0.raised_at.set(Instant::now());
        }
    }

    /// The signal that raised the request, if any.
    pub fn signal(&self) -> Option<i32> {
        match self.0.signal.load(Ordering::SeqCst) {
            0 => None,
            signal => Some(signal),
        }
    }

    /// Whether a stop was requested.
    pub fn is_raised(&self) -> bool {
        self.signal().is_some()
    }

    /// Whether the grace time for probes in flight is over.
    pub fn grace_over(&self) -> bool {
        self.0
            .raised_at
            .get()
            .is_some_and(|at| at.elapsed() >= GRACE)
    }

    /// When the grace time ends, once raised.
    pub fn deadline(&self) -> Option<Instant> {
        self.0.raised_at.get().map(|at| *at + GRACE)
    }
}

/// The conventional name of a stop signal.
pub fn signal_name(signal: i32) -> String {
    match signal {
        // A scan judged from its journal before it finished (killed, crashed, still running).
        0 => "unfinished".into(),
        2 => "SIGINT".into(),
        15 => "SIGTERM".into(),
        1 => "SIGHUP".into(),
        other => format!("signal {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_signal_counts() {
        let interrupt = Interrupt::new();
        assert!(!interrupt.is_raised());
        assert!(!interrupt.grace_over());
        let shared = interrupt.clone();
        shared.raise(15);
        interrupt.raise(2);
        assert_eq!(interrupt.signal(), Some(15));
        assert!(interrupt.deadline().is_some());
        assert_eq!(signal_name(2), "SIGINT");
    }
}
