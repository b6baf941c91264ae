//! The global allocator: small blocks from mimalloc, large ones from the system's malloc.
//!
//! glibc's malloc alone made the built-in server's reader threads wait on each other: they
//! allocated into arenas other threads were freeing into (about 50 futex calls per
//! 500-task listing page; 21 pages fetched 2 at a time took 83 ms instead of 50, and each
//! page 3.4-4.5 ms of CPU instead of 2.4-2.6). mimalloc's per-thread heaps fix that, but
//! alone it keeps freed buffers for reuse: `model pull` of 1 GiB peaked at 35-36 MiB RSS
//! against 21-22 with glibc (its bound is 32). Parsed values and strings are small;
//! download chunks and whole answers are large and go back to glibc, which returns them
//! to the system at once.

use std::alloc::{GlobalAlloc, Layout, System};

/// Blocks of at least this many bytes come from the system allocator.
const LARGE: usize = 64 * 1024;

pub struct SplitAlloc;

static SMALL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn is_large(size: usize) -> bool {
    size >= LARGE
}

// SAFETY: every block is freed (or resized) by the allocator that made it: the side is
// decided by the block's size, which Rust passes again with the layout on free and resize,
// and a resize that crosses the line moves the block to the other side.
unsafe impl GlobalAlloc for SplitAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if is_large(layout.size()) {
            unsafe { System.alloc(layout) }
        } else {
            unsafe { SMALL.alloc(layout) }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if is_large(layout.size()) {
            unsafe { System.alloc_zeroed(layout) }
        } else {
            unsafe { SMALL.alloc_zeroed(layout) }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if is_large(layout.size()) {
            unsafe { System.dealloc(ptr, layout) }
        } else {
            unsafe { SMALL.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        match (is_large(layout.size()), is_large(new_size)) {
            (true, true) => unsafe { System.realloc(ptr, layout, new_size) },
            (false, false) => unsafe { SMALL.realloc(ptr, layout, new_size) },
            // Crossing the line: a new block on the other side, the bytes moved over.
            _ => {
                // SAFETY: the caller guarantees `new_size`, rounded up to the alignment,
                // fits `isize`; the alignment is the block's own.
                let new_layout =
                    unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
                let new = unsafe { self.alloc(new_layout) };
                if !new.is_null() {
                    unsafe {
                        std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                        self.dealloc(ptr, layout);
                    }
                }
                new
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blocks grown and shrunk across the line keep their bytes, and each is freed by the
    /// side that holds it (a mismatch would crash or corrupt the heap under the test).
    #[test]
    fn blocks_keep_their_bytes_across_the_line() {
        let a = SplitAlloc;
        for align in [1usize, 8, 64] {
            unsafe {
                let layout = Layout::from_size_align(100, align).unwrap();
                let p = a.alloc(layout);
                for i in 0..100 {
                    *p.add(i) = i as u8;
                }
                let big = a.realloc(p, layout, LARGE * 2);
                assert_eq!(big as usize % align, 0);
                for i in 0..100 {
                    assert_eq!(*big.add(i), i as u8);
                }
                let big_layout = Layout::from_size_align(LARGE * 2, align).unwrap();
                let bigger = a.realloc(big, big_layout, LARGE * 4);
                let bigger_layout = Layout::from_size_align(LARGE * 4, align).unwrap();
                let small = a.realloc(bigger, bigger_layout, 50);
                for i in 0..50 {
                    assert_eq!(*small.add(i), i as u8);
                }
                a.dealloc(small, Layout::from_size_align(50, align).unwrap());
                let z = a.alloc_zeroed(Layout::from_size_align(LARGE, align).unwrap());
                assert!((0..LARGE).all(|i| *z.add(i) == 0));
                a.dealloc(z, Layout::from_size_align(LARGE, align).unwrap());
            }
        }
        // Ordinary collections through the same allocator.
        let v: Vec<String> = (0..10_000)
            .map(|i| format!("Задача-{i}-über-任务"))
            .collect();
        assert_eq!(v[9_999], "Задача-9999-über-任务");
    }
}
