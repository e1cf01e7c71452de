//! A small binary encoding for the store's large per-build files (the checksum memo and the
//! layer indexes): a magic line naming the format and its version, then little-endian
//! fixed-width integers and length-prefixed byte strings. Decoding a 20,000-row file costs
//! about a millisecond, where JSON cost tens. A file with another magic (an older version)
//! decodes to `None` and is treated as absent.

/// Appends values to a byte buffer.
#[derive(Debug)]
pub(crate) struct Writer(pub(crate) Vec<u8>);

impl Writer {
    /// A buffer that starts with `magic`.
    pub(crate) fn new(magic: &[u8]) -> Self {
        Self(magic.to_vec())
    }

    pub(crate) fn u8(&mut self, v: u8) {
        self.0.push(v);
    }

    pub(crate) fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn bytes(&mut self, v: &[u8]) {
        self.u64(v.len() as u64);
        self.0.extend_from_slice(v);
    }

    pub(crate) fn str(&mut self, v: &str) {
        self.bytes(v.as_bytes());
    }
}

/// Reads values written by [`Writer`]; every read is `None` past the end.
#[derive(Debug)]
pub(crate) struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    /// A reader after `magic`, or `None` when `bytes` does not start with it.
    pub(crate) fn new(bytes: &'a [u8], magic: &[u8]) -> Option<Self> {
        bytes.strip_prefix(magic).map(Self)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    pub(crate) fn u8(&mut self) -> Option<u8> {
        Some(self.array::<1>()?[0])
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        self.array().map(u32::from_le_bytes)
    }

    pub(crate) fn u64(&mut self) -> Option<u64> {
        self.array().map(u64::from_le_bytes)
    }

    pub(crate) fn i64(&mut self) -> Option<i64> {
        self.array().map(i64::from_le_bytes)
    }

    pub(crate) fn sum(&mut self) -> Option<[u8; 32]> {
        self.array()
    }

    pub(crate) fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = usize::try_from(self.u64()?).ok()?;
        self.take(n)
    }

    pub(crate) fn str(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.bytes()?).ok()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{Reader, Writer};

    proptest! {
        #[test]
        fn values_round_trip(a in any::<u8>(), b in any::<u32>(), c in any::<u64>(),
                             d in any::<i64>(), s in ".*", bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            let mut w = Writer::new(b"T1\n");
            w.u8(a);
            w.u32(b);
            w.u64(c);
            w.i64(d);
            w.str(&s);
            w.bytes(&bytes);
            let mut r = Reader::new(&w.0, b"T1\n").expect("magic");
            prop_assert_eq!(r.u8(), Some(a));
            prop_assert_eq!(r.u32(), Some(b));
            prop_assert_eq!(r.u64(), Some(c));
            prop_assert_eq!(r.i64(), Some(d));
            prop_assert_eq!(r.str(), Some(s.as_str()));
            prop_assert_eq!(r.bytes(), Some(bytes.as_slice()));
            prop_assert!(r.is_empty());
            prop_assert!(Reader::new(&w.0, b"T2\n").is_none());
        }

        #[test]
        fn truncated_input_reads_none(cut in 0usize..20) {
            let mut w = Writer::new(b"T1\n");
            w.str("some path");
            w.u64(7);
            let end = w.0.len().saturating_sub(cut + 1);
            let mut r = Reader::new(&w.0[..end], b"T1\n").expect("magic");
            let whole = r.str().and_then(|_| r.u64());
            prop_assert_eq!(whole, None);
        }
    }
}
