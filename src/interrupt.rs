//! Stopping a build cleanly on SIGINT or SIGTERM (Ctrl-C, `kill`, Slurm's `scancel` and
//! time limit, Kubernetes evicting a pod): no new job starts, the running ones finish and
//! land in the manifest, and the process exits 128 + the signal's number (130, 143).
//!
//! A second signal while the build is winding down ends the process at once, as the first
//! would have without a handler; the manifest is still true then (see `manifest::journal`).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

/// Whether a stop was asked for, and by which signal. Cloned handles share one flag.
#[derive(Debug, Clone, Default)]
pub struct Interrupt {
    signal: Arc<AtomicUsize>,
}

impl Interrupt {
    /// A flag that only `request` sets (for library use and tests).
    pub fn never() -> Interrupt {
        Interrupt::default()
    }

    /// A flag set by SIGINT and SIGTERM, for the command line.
    pub fn on_termination_signals() -> std::io::Result<Interrupt> {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let interrupt = Interrupt::default();
        let stopping = Arc::new(AtomicBool::new(false));
        for signal in [SIGINT, SIGTERM] {
            // Registered first, so it runs before the flag below is set: it acts only on a
            // signal that arrives while the build is already stopping.
            signal_hook::flag::register_conditional_default(signal, Arc::clone(&stopping))?;
            signal_hook::flag::register(signal, Arc::clone(&stopping))?;
            signal_hook::flag::register_usize(
                signal,
                Arc::clone(&interrupt.signal),
                signal as usize,
            )?;
        }
        Ok(interrupt)
    }

    /// Asks for a stop as if `signal` had arrived.
    pub fn request(&self, signal: i32) {
        self.signal.store(signal.max(1) as usize, Ordering::SeqCst);
    }

    /// The signal that asked for a stop, if one did.
    pub fn signal(&self) -> Option<i32> {
        match self.signal.load(Ordering::SeqCst) {
            0 => None,
            n => Some(n as i32),
        }
    }
}

/// The conventional name of a signal, for messages.
pub fn signal_name(signal: i32) -> String {
    match signal {
        2 => "SIGINT".to_string(),
        15 => "SIGTERM".to_string(),
        n => format!("signal {n}"),
    }
}
