//! A token bucket for the discovery endpoint, which the spec says SHOULD be
//! rate limited (it is the one endpoint anyone may call without a token).

use std::sync::Mutex;
use std::time::Instant;

/// Requests per second the discovery endpoint sustains.
pub const DISCOVERY_RATE: f64 = 50.0;
/// Requests the discovery endpoint takes in one burst.
pub const DISCOVERY_BURST: f64 = 200.0;

pub struct Bucket {
    rate: f64,
    burst: f64,
    state: Mutex<(f64, Instant)>,
}

impl Bucket {
    pub fn new(rate: f64, burst: f64) -> Bucket {
        Bucket {
            rate,
            burst,
            state: Mutex::new((burst, Instant::now())),
        }
    }

    /// Take one token; `Err(seconds)` to wait when the bucket is empty.
    pub fn take(&self) -> Result<(), u64> {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let refill = now.duration_since(st.1).as_secs_f64() * self.rate;
        st.0 = (st.0 + refill).min(self.burst);
        st.1 = now;
        if st.0 >= 1.0 {
            st.0 -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - st.0) / self.rate).ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_served_then_refused_with_a_wait() {
        let b = Bucket::new(0.001, 3.0);
        assert!((0..3).all(|_| b.take().is_ok()));
        let wait = b.take().unwrap_err();
        assert!(wait >= 1, "{wait}");
    }
}
