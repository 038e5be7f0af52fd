//! How long a server has been silent while something waited on it: the bound on a whole
//! change, not only on each request.
//!
//! Each store operation has its own deadline, but a change runs many: when a server stops
//! answering, operations that started after the last answer (a response already on its way
//! when the server froze lets the next copy start) would each wait their own full deadline, so
//! the change gave up later than promised (43 s instead of 30). A [`Silence`] is shared by all
//! operations of one store: it remembers when the server last answered anything, counted only
//! while some request is outstanding (a user reading a plan is not a silent server), and
//! [`Silence::bound`] gives an operation up once the server has been silent for the limit,
//! whenever that operation started.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::time::{Duration, Instant};

#[derive(Debug)]
struct Clock {
    /// Operations waiting on the server.
    waiting: usize,
    /// The last answer, or when the server was last asked after being idle.
    since: Instant,
}

/// The silence clock of one server, shared by every operation on it.
#[derive(Debug, Clone)]
pub struct Silence {
    clock: Arc<Mutex<Clock>>,
    limit: Duration,
}

/// Why an operation was given up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GaveUp {
    /// The operation's own deadline passed.
    Deadline,
    /// The server answered nothing, to anyone, for the limit.
    Silent,
}

/// Counts one waiting operation for as long as it lives (a dropped future stops waiting too).
struct Waiting<'a>(&'a Silence);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let mut c = self.0.lock();
        c.waiting = c.waiting.saturating_sub(1);
    }
}

impl Silence {
    /// A clock that gives up operations after `limit` of silence.
    pub fn new(limit: Duration) -> Silence {
        Silence {
            clock: Arc::new(Mutex::new(Clock {
                waiting: 0,
                since: Instant::now(),
            })),
            limit,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Clock> {
        // The clock is two numbers; a panic elsewhere cannot leave them inconsistent.
        self.clock.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// When silence would give an operation up, as of now.
    fn silent_at(&self) -> Instant {
        self.lock().since + self.limit
    }

    /// Runs `op` (one request, or one step of an operation) until it completes, `deadline`
    /// passes, or the server has been silent for the limit. A completed `op` is an answer.
    pub async fn bound<T>(
        &self,
        deadline: Instant,
        op: impl Future<Output = T>,
    ) -> Result<T, GaveUp> {
        let _waiting = {
            let mut c = self.lock();
            if c.waiting == 0 {
                c.since = Instant::now();
            }
            c.waiting += 1;
            Waiting(self)
        };
        let watch = async {
            loop {
                let silent_at = self.silent_at();
                tokio::time::sleep_until(silent_at.min(deadline)).await;
                let now = Instant::now();
                if now >= deadline {
                    return GaveUp::Deadline;
                }
                // Someone else heard from the server meanwhile: keep waiting.
                if self.silent_at() <= now {
                    return GaveUp::Silent;
                }
            }
        };
        tokio::select! {
            r = op => {
                self.lock().since = Instant::now();
                Ok(r)
            }
            why = watch => Err(why),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn an_operation_that_starts_after_the_last_answer_gives_up_with_the_others() {
        let s = Silence::new(Duration::from_secs(20));
        let far = Instant::now() + Duration::from_secs(3600);
        // An answer at t=0, then the server stops; a request started at t=5 still gives up at
        // t=20, 20 s after the last answer, not at t=25.
        assert_eq!(s.bound(far, async {}).await, Ok(()));
        let start = Instant::now();
        let hanging = s.bound(far, std::future::pending::<()>());
        let earlier = async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            s.bound(far, std::future::pending::<()>()).await
        };
        let (a, b) = tokio::join!(hanging, earlier);
        assert_eq!((a, b), (Err(GaveUp::Silent), Err(GaveUp::Silent)));
        assert_eq!(start.elapsed(), Duration::from_secs(20));
    }

    #[tokio::test(start_paused = true)]
    async fn answers_to_anyone_keep_a_slow_operation_alive_until_its_deadline() {
        let s = Silence::new(Duration::from_secs(20));
        let start = Instant::now();
        let slow = s.bound(
            start + Duration::from_secs(50),
            std::future::pending::<()>(),
        );
        let chatty = async {
            for _ in 0..10 {
                tokio::time::sleep(Duration::from_secs(10)).await;
                let _ = s.bound(start + Duration::from_secs(3600), async {}).await;
            }
        };
        let (r, ()) = tokio::join!(slow, chatty);
        assert_eq!(r, Err(GaveUp::Deadline));
        assert_eq!(start.elapsed(), Duration::from_secs(100));
    }

    #[tokio::test(start_paused = true)]
    async fn time_with_nothing_asked_is_not_silence() {
        let s = Silence::new(Duration::from_secs(20));
        tokio::time::sleep(Duration::from_secs(60)).await;
        let r = s
            .bound(
                Instant::now() + Duration::from_secs(3600),
                tokio::time::sleep(Duration::from_secs(5)),
            )
            .await;
        assert_eq!(r, Ok(()));
    }
}
