//! A pool of pre-allocated byte buffers on a lock-free queue, so encoding a batch reuses memory
//! instead of allocating. Its hit rate shows whether the pool is big enough.

use crossbeam_queue::ArrayQueue;
use std::sync::atomic::{AtomicU64, Ordering};

pub struct BufferPool {
    free: ArrayQueue<Vec<u8>>,
    buffer_bytes: usize,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl BufferPool {
    /// `buffers` buffers of `buffer_bytes` each, allocated now.
    pub fn new(buffers: usize, buffer_bytes: usize) -> BufferPool {
        let free = ArrayQueue::new(buffers.max(1));
        for _ in 0..buffers {
            let _ = free.push(Vec::with_capacity(buffer_bytes));
        }
        BufferPool {
            free,
            buffer_bytes,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// An empty buffer: a pooled one when there is one, else a new one.
    pub fn take(&self) -> Vec<u8> {
        match self.free.pop() {
            Some(b) => {
                self.hits.fetch_add(1, Ordering::Relaxed);
                b
            }
            None => {
                self.misses.fetch_add(1, Ordering::Relaxed);
                Vec::with_capacity(self.buffer_bytes)
            }
        }
    }

    /// Returns a buffer; it is kept if the pool has room and it did not grow far past the
    /// usual size (a huge one-off buffer would pin its memory forever).
    pub fn give(&self, mut buffer: Vec<u8>) {
        if buffer.capacity() <= self.buffer_bytes * 4 {
            buffer.clear();
            let _ = self.free.push(buffer);
        }
    }

    /// Share of `take` calls served from the pool (1.0 before any call).
    pub fn hit_rate(&self) -> f64 {
        let hits = self.hits.load(Ordering::Relaxed) as f64;
        let total = hits + self.misses.load(Ordering::Relaxed) as f64;
        if total == 0.0 {
            1.0
        } else {
            hits / total
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuses_buffers_and_counts_misses() {
        let pool = BufferPool::new(2, 64);
        let a = pool.take();
        let b = pool.take();
        let c = pool.take(); // the pool is empty: a miss
        assert_eq!(pool.hit_rate(), 2.0 / 3.0);
        let mut a = a;
        a.extend_from_slice(b"data");
        pool.give(a);
        pool.give(b);
        pool.give(c); // no room: dropped
        let again = pool.take();
        assert!(again.is_empty() && again.capacity() >= 64);
        assert_eq!(pool.hit_rate(), 3.0 / 4.0);
    }
}
