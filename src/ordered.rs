//! Runs a function over inputs on several threads and hands each result
//! back in input order as soon as it and every earlier one are ready: the
//! report is written while the run goes on, the same at any thread count,
//! and only a bounded number of results wait in memory.
//!
//! There is no writer thread: the worker that completes the next result in
//! order hands back every ready result itself, while the others go on
//! working. (A writer thread woke up once a file, and on a loaded machine
//! its context switches cost more than the writing.)

use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use rayon::ThreadPool;

/// How far the workers may run ahead of the first result not yet handed
/// back: when one slow file holds up the order, at most this many results
/// wait behind it.
const WINDOW: usize = 512;

/// Calls `work` on every item on the threads of `pool` (rayon's global pool
/// when `None`), the calling thread included, and `consume` on the results
/// in item order.
pub fn map_in_order<T, R>(
    items: &[T],
    pool: Option<&ThreadPool>,
    work: impl Fn(&T) -> R + Sync,
    mut consume: impl FnMut(&T, R) + Send,
) where
    T: Sync,
    R: Send,
{
    // One input (an editor's save, a pre-commit run on one file) is linted
    // on this thread: starting workers would cost more than the file.
    if items.len() <= 1 {
        for item in items {
            consume(item, work(item));
        }
        return;
    }
    let threads = pool
        .map_or_else(rayon::current_num_threads, ThreadPool::current_num_threads)
        .clamp(1, items.len());
    let run = Run {
        items,
        work,
        consume: Mutex::new(consume),
        state: Mutex::new(State {
            next: 0,
            handed_back: 0,
            waiting: BTreeMap::new(),
            draining: false,
            abandoned: false,
        }),
        moved: Condvar::new(),
    };
    match pool {
        Some(pool) => pool.in_place_scope(|scope| run.spawn_and_work(scope, threads)),
        None => rayon::in_place_scope(|scope| run.spawn_and_work(scope, threads)),
    }
}

struct Run<'a, T, R, W, C> {
    items: &'a [T],
    work: W,
    /// Locked only by the worker that hands results back.
    consume: Mutex<C>,
    state: Mutex<State<R>>,
    /// Signalled when results are handed back (the window moves) or the run
    /// is abandoned.
    moved: Condvar,
}

struct State<R> {
    /// The next item to work on.
    next: usize,
    /// How many results, from the first item on, were handed back.
    handed_back: usize,
    /// Results done out of order, by item index.
    waiting: BTreeMap<usize, R>,
    /// Whether a worker is handing results back right now.
    draining: bool,
    /// A worker panicked: the others stop taking items.
    abandoned: bool,
}

impl<T, R, W, C> Run<'_, T, R, W, C>
where
    T: Sync,
    R: Send,
    W: Fn(&T) -> R + Sync,
    C: FnMut(&T, R) + Send,
{
    fn lock(&self) -> MutexGuard<'_, State<R>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Works on this thread and `threads - 1` others.
    fn spawn_and_work<'scope>(&'scope self, scope: &rayon::Scope<'scope>, threads: usize) {
        for _ in 1..threads {
            scope.spawn(move |_| self.work());
        }
        self.work();
    }

    fn work(&self) {
        let _guard = AbandonOnPanic(self);
        while let Some(index) = self.take() {
            let result = (self.work)(&self.items[index]);
            self.deliver(index, result);
        }
    }

    /// The next item to work on, waiting while the window is full; `None`
    /// when every item is taken.
    fn take(&self) -> Option<usize> {
        let mut state = self.lock();
        loop {
            if state.abandoned || state.next >= self.items.len() {
                return None;
            }
            if state.next < state.handed_back + WINDOW {
                state.next += 1;
                return Some(state.next - 1);
            }
            state = self
                .moved
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Files a result; unless another worker is at it, hands back every
    /// result that is ready in order, outside the lock.
    fn deliver(&self, index: usize, result: R) {
        let mut state = self.lock();
        state.waiting.insert(index, result);
        if state.draining {
            return;
        }
        state.draining = true;
        loop {
            let first = state.handed_back;
            let mut ready = Vec::new();
            while let Some(result) = state.waiting.remove(&(first + ready.len())) {
                ready.push(result);
            }
            if ready.is_empty() {
                state.draining = false;
                return;
            }
            drop(state);
            let count = ready.len();
            {
                let mut consume = self.consume.lock().unwrap_or_else(PoisonError::into_inner);
                for (offset, result) in ready.into_iter().enumerate() {
                    consume(&self.items[first + offset], result);
                }
            }
            state = self.lock();
            state.handed_back += count;
            self.moved.notify_all();
        }
    }
}

/// A worker that panics stops the others, so that the run ends (and rayon
/// passes the panic on) instead of waiting forever for its result.
struct AbandonOnPanic<'r, 'a, T, R, W, C>(&'r Run<'a, T, R, W, C>);

impl<T, R, W, C> Drop for AbandonOnPanic<'_, '_, T, R, W, C> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let mut state = self.0.state.lock().unwrap_or_else(PoisonError::into_inner);
            state.abandoned = true;
            self.0.moved.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_item_order_at_any_thread_count() {
        let items: Vec<usize> = (0..WINDOW * 5 + 7).collect();
        for threads in [1, 2, 3, 8] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap_or_else(|e| panic!("{e}"));
            let mut seen = Vec::new();
            // Early items take longest, so later ones finish first and wait.
            let work = |&i: &usize| {
                for spin in 0..(items.len() - i) * 20 {
                    std::hint::black_box(spin);
                }
                i * 2
            };
            map_in_order(&items, Some(&pool), work, |&item, result| {
                seen.push((item, result));
            });
            let expected: Vec<(usize, usize)> = items.iter().map(|&i| (i, i * 2)).collect();
            assert_eq!(seen, expected, "{threads} threads");
        }
    }
}
