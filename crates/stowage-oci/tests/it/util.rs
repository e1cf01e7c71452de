//! Helpers: a raw tar builder that can write what no sane writer would.

use std::io::Write as _;

/// One raw tar member.
pub(crate) struct Raw<'a> {
    pub(crate) name: &'a [u8],
    pub(crate) typeflag: u8,
    pub(crate) size: u64,
    pub(crate) linkname: &'a [u8],
    pub(crate) data: &'a [u8],
}

impl<'a> Raw<'a> {
    pub(crate) fn file(name: &'a str, data: &'a [u8]) -> Self {
        Self {
            name: name.as_bytes(),
            typeflag: b'0',
            size: data.len() as u64,
            linkname: b"",
            data,
        }
    }

    pub(crate) fn kind(name: &'a str, typeflag: u8, linkname: &'a str) -> Self {
        Self {
            name: name.as_bytes(),
            typeflag,
            size: 0,
            linkname: linkname.as_bytes(),
            data: b"",
        }
    }
}

fn octal(field: &mut [u8], value: u64) {
    let digits = field.len() - 1;
    let s = format!("{value:0digits$o}");
    field[..digits].copy_from_slice(&s.as_bytes()[s.len() - digits..]);
}

/// A header block with a correct checksum, whatever the fields say.
pub(crate) fn header(member: &Raw<'_>) -> [u8; 512] {
    let mut block = [0u8; 512];
    let name_len = member.name.len().min(100);
    block[..name_len].copy_from_slice(&member.name[..name_len]);
    octal(&mut block[100..108], 0o644);
    octal(&mut block[108..116], 0);
    octal(&mut block[116..124], 0);
    if member.size > 0o777_7777_7777 {
        // GNU base-256 for sizes that do not fit in octal.
        block[124] = 0x80;
        block[128..136].copy_from_slice(&member.size.to_be_bytes());
    } else {
        octal(&mut block[124..136], member.size);
    }
    octal(&mut block[136..148], 0);
    block[156] = member.typeflag;
    let link_len = member.linkname.len().min(100);
    block[157..157 + link_len].copy_from_slice(&member.linkname[..link_len]);
    block[257..263].copy_from_slice(b"ustar\0");
    block[263..265].copy_from_slice(b"00");
    block[148..156].fill(b' ');
    let sum: u32 = block.iter().map(|b| u32::from(*b)).sum();
    block[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    block
}

/// A tar of raw members (data padded to blocks, two zero blocks at the end).
pub(crate) fn tar(members: &[Raw<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for m in members {
        out.extend_from_slice(&header(m));
        out.extend_from_slice(m.data);
        let pad = (512 - m.data.len() % 512) % 512;
        out.extend(std::iter::repeat_n(0, pad));
    }
    out.extend_from_slice(&[0; 1024]);
    out
}

/// A PAX extended header member carrying `records`.
pub(crate) fn pax(records: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (k, v) in records {
        let base = k.len() + v.len() + 3;
        let mut len = base + base.to_string().len();
        if len.to_string().len() != base.to_string().len() {
            len = base + len.to_string().len();
        }
        body.extend_from_slice(format!("{len} {k}=").as_bytes());
        body.extend_from_slice(v);
        body.push(b'\n');
    }
    body
}

pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).expect("in-memory gzip");
    gz.finish().expect("in-memory gzip")
}
