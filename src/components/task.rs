//! Async work a component starts (a load, a redeem, a copy): at most one at
//! a time, with a pending flag for the view.
//!
//! This replaces Leptos' `Action` and `LocalResource` here: those carry a
//! reactive graph of their own per result type, and were a tenth of the
//! shipped WebAssembly. The work itself always runs to its end (a redeem in
//! flight is never abandoned half-way); its result reaches the component
//! only while the component is still on the page, and runs under the
//! component's owner, so contexts (the event emitter) are there. The task
//! holds its owner weakly: a strong reference, stored in that owner's own
//! arena, kept every remounted widget's whole reactive graph (and its
//! window listeners) alive after the remount.

use leptos::prelude::*;
use std::future::Future;
use std::pin::Pin;

/// Work whose result is already paired with what to do with it.
type Erased = Pin<Box<dyn Future<Output = Box<dyn FnOnce()>>>>;

/// One kind of work of one component.
#[derive(Clone, Copy)]
pub struct Task {
    pending: RwSignal<bool>,
    owner: StoredValue<Option<WeakOwner>>,
}

impl Task {
    /// A task owned by the component being built.
    pub fn new() -> Self {
        Task {
            pending: RwSignal::new(false),
            owner: StoredValue::new(Owner::current().map(|owner| owner.downgrade())),
        }
    }

    /// Whether work is running; tracked, for the view.
    pub fn pending(self) -> bool {
        self.pending.get()
    }

    /// Whether work is running, without tracking.
    pub fn is_pending(self) -> bool {
        self.pending.try_get_untracked().unwrap_or(true)
    }

    /// Starts `work` unless work is already running, and hands its result
    /// to `done`. Returns whether it started.
    pub fn start<T: 'static>(
        self,
        work: impl Future<Output = T> + 'static,
        done: impl FnOnce(T) + 'static,
    ) -> bool {
        // Only this shell is generic: it pairs the result with `done`. The
        // rest (pending flag, owner, spawning) is one copy for every kind of
        // work, not one per call site.
        self.start_erased(Box::pin(async move {
            let result = work.await;
            Box::new(move || done(result)) as Box<dyn FnOnce()>
        }))
    }

    fn start_erased(self, work: Erased) -> bool {
        if self.is_pending() {
            return false;
        }
        self.pending.set(true);
        let owner = self.owner.try_get_value().flatten();
        leptos::task::spawn_local(async move {
            let done = work.await;
            if self.pending.is_disposed() {
                return;
            }
            self.pending.set(false);
            match owner.map(|owner| owner.upgrade()) {
                Some(Some(owner)) => owner.with(done),
                // The component is gone: nobody to tell.
                Some(None) => {}
                None => done(),
            }
        });
        true
    }
}

impl Default for Task {
    fn default() -> Self {
        Task::new()
    }
}
