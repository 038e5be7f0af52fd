//! A TCP proxy that stops forwarding, in both directions, once the requests it has seen match a
//! trigger: the peer sees a server that stopped answering at an exact point of an operation.
//! A hand-written part, because no server can "hang on purpose" at a chosen request (SIGSTOP
//! freezes at a random one, and moto, shared by other tests, cannot be frozen at all).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Decides, from everything clients sent so far (lowercased), whether to freeze now.
pub type Trigger = Box<dyn FnMut(&str) -> bool + Send>;

pub struct Proxy {
    pub port: u16,
    frozen: Arc<AtomicBool>,
    frozen_at: Arc<Mutex<Option<Instant>>>,
}

impl Proxy {
    /// Forwards 127.0.0.1:port → `upstream` (host:port) until `trigger` says freeze: the bytes
    /// that triggered it, and everything after, are held until [`Proxy::thaw`].
    pub fn start(upstream: String, trigger: Trigger) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let frozen = Arc::new(AtomicBool::new(false));
        let frozen_at = Arc::new(Mutex::new(None));
        let trigger = Arc::new(Mutex::new(trigger));
        let (f, at) = (frozen.clone(), frozen_at.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                let watch = Watch {
                    frozen: f.clone(),
                    frozen_at: at.clone(),
                    trigger: Some(trigger.clone()),
                };
                let back = Watch {
                    frozen: f.clone(),
                    frozen_at: at.clone(),
                    trigger: None,
                };
                std::thread::spawn(move || pump(client, server, &watch));
                std::thread::spawn(move || pump(s2, c2, &back));
            }
        });
        Proxy {
            port,
            frozen,
            frozen_at,
        }
    }

    /// When the proxy froze (`None`: not yet).
    pub fn frozen_at(&self) -> Option<Instant> {
        *self.frozen_at.lock().unwrap()
    }

    pub fn thaw(&self) {
        self.frozen.store(false, Ordering::SeqCst);
    }

    /// Stops forwarding now, whatever the trigger says, until [`Proxy::thaw`] (for tests that
    /// freeze the server at random moments).
    pub fn freeze(&self) {
        self.frozen.store(true, Ordering::SeqCst);
    }
}

struct Watch {
    frozen: Arc<AtomicBool>,
    frozen_at: Arc<Mutex<Option<Instant>>>,
    /// Set on the client-to-server direction only.
    trigger: Option<Arc<Mutex<Trigger>>>,
}

fn pump(mut from: TcpStream, mut to: TcpStream, watch: &Watch) {
    let mut buf = vec![0u8; 65536];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if let Some(trigger) = &watch.trigger {
            let text = String::from_utf8_lossy(&buf[..n]).to_ascii_lowercase();
            let mut at = watch.frozen_at.lock().unwrap();
            // Freeze once, the first time the trigger fires.
            if at.is_none() && (trigger.lock().unwrap())(&text) {
                *at = Some(Instant::now());
                watch.frozen.store(true, Ordering::SeqCst);
            }
        }
        // While frozen, hold the bytes: the peer sees a server that stopped answering.
        while watch.frozen.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(20));
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(std::net::Shutdown::Both);
}
