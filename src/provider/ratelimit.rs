//! Token buckets, one per client IP: for the discovery endpoint, which the
//! spec says SHOULD be rate limited (it is the one endpoint anyone may call
//! without a token), and for open registration. Per client, so one client
//! spending its budget does not starve the others.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

/// Clients tracked at once; past this the longest-quiet one is forgotten.
pub const MAX_CLIENTS: usize = 4096;

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

/// A bucket per client IP (bounded in number).
pub struct Keyed {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl Keyed {
    pub fn new(rate: f64, burst: f64) -> Keyed {
        Keyed {
            rate,
            burst,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Take one token from `client`'s bucket; `Err(seconds)` to wait when empty.
    pub fn take(&self, client: IpAddr) -> Result<(), u64> {
        let mut map = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if !map.contains_key(&client) && map.len() >= MAX_CLIENTS {
            let (rate, burst) = (self.rate, self.burst);
            map.retain(|_, (t, at)| *t + now.duration_since(*at).as_secs_f64() * rate < burst);
            if map.len() >= MAX_CLIENTS
                && let Some(oldest) = map.iter().min_by_key(|(_, (_, at))| *at).map(|(k, _)| *k)
            {
                map.remove(&oldest);
            }
        }
        let st = map.entry(client).or_insert((self.burst, now));
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
    fn one_client_spending_its_burst_leaves_the_others_theirs() {
        let k = Keyed::new(0.001, 2.0);
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        assert!((0..2).all(|_| k.take(a).is_ok()));
        assert!(k.take(a).is_err());
        assert!(k.take(b).is_ok(), "b starved by a");
    }

    #[test]
    fn the_client_table_is_bounded() {
        let k = Keyed::new(0.001, 1.0);
        for i in 0..(MAX_CLIENTS as u32 + 10) {
            let _ = k.take(IpAddr::from(i.to_be_bytes()));
        }
        assert!(k.buckets.lock().unwrap().len() <= MAX_CLIENTS);
    }

    #[test]
    fn a_burst_is_served_then_refused_with_a_wait() {
        let b = Bucket::new(0.001, 3.0);
        assert!((0..3).all(|_| b.take().is_ok()));
        let wait = b.take().unwrap_err();
        assert!(wait >= 1, "{wait}");
    }
}
