//! A whole project as one file, to move work between browsers and
//! machines: versioned, compressed, with a checksum. A damaged, truncated,
//! foreign or newer file is refused with a message saying which.

use crate::model::message::Message;
use std::fmt;

use crate::import::dataset::Dataset;

const MAGIC: &[u8; 8] = b"SEGLENS\x01";
/// The version of the project file format.
pub(crate) const FORMAT_VERSION: u16 = 1;
/// The largest project a file may unpack to (guards against bombs).
pub(crate) const MAX_UNPACKED: u64 = 4 << 30;

/// Why a project file was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum ProjectError {
    /// Not a SegLens project file at all.
    Foreign,
    /// Written by a newer SegLens.
    Newer(u16),
    /// Cut short.
    Truncated,
    /// The checksum does not match: the file was damaged.
    Damaged,
    /// The content does not unpack to a project.
    Unreadable(Message),
}

impl From<&ProjectError> for Message {
    fn from(e: &ProjectError) -> Message {
        match e {
            ProjectError::Foreign => Message::new("engine.project.foreign"),
            ProjectError::Newer(v) => {
                Message::new("engine.project.with.newer").with("version", u64::from(*v))
            }
            ProjectError::Truncated => Message::new("engine.project.truncated"),
            ProjectError::Damaged => Message::new("engine.project.damaged"),
            ProjectError::Unreadable(why) => {
                Message::new("engine.project.with.unreadable").with("why", why.clone())
            }
        }
    }
}

impl fmt::Display for ProjectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Message::from(self).fmt(f)
    }
}

impl std::error::Error for ProjectError {}

/// A project: the app's record of it (its settings, as JSON) and its data.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    /// The app's workspace record, as JSON.
    pub record_json: String,
    /// The data (a [`Dataset`], encoded).
    pub data: Vec<u8>,
}

impl Project {
    /// Writes the file: magic, format version, CRC-32 and length of the
    /// packed content, then the content deflated.
    pub fn encode(&self) -> Vec<u8> {
        let mut content = Vec::with_capacity(8 + self.record_json.len() + self.data.len());
        content.extend_from_slice(&(self.record_json.len() as u64).to_le_bytes());
        content.extend_from_slice(self.record_json.as_bytes());
        content.extend_from_slice(&self.data);
        let packed = miniz_oxide::deflate::compress_to_vec(&content, 6);
        let mut out = Vec::with_capacity(30 + packed.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&crc32fast::hash(&packed).to_le_bytes());
        out.extend_from_slice(&(content.len() as u64).to_le_bytes());
        out.extend_from_slice(&(packed.len() as u64).to_le_bytes());
        out.extend_from_slice(&packed);
        out
    }

    /// Reads a file written by [`Project::encode`], checking everything
    /// before anything is used, including that the data decodes.
    pub fn decode(bytes: &[u8]) -> Result<Project, ProjectError> {
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err(ProjectError::Foreign);
        }
        let header = bytes.get(8..30).ok_or(ProjectError::Truncated)?;
        let version = u16::from_le_bytes([header[0], header[1]]);
        if version > FORMAT_VERSION {
            return Err(ProjectError::Newer(version));
        }
        let crc = u32::from_le_bytes([header[2], header[3], header[4], header[5]]);
        let unpacked = u64::from_le_bytes(
            header[6..14]
                .try_into()
                .map_err(|_| ProjectError::Truncated)?,
        );
        let packed_len = u64::from_le_bytes(
            header[14..22]
                .try_into()
                .map_err(|_| ProjectError::Truncated)?,
        );
        let packed = &bytes[30..];
        if (packed.len() as u64) < packed_len {
            return Err(ProjectError::Truncated);
        }
        if packed.len() as u64 > packed_len {
            return Err(ProjectError::Damaged);
        }
        if crc32fast::hash(packed) != crc {
            return Err(ProjectError::Damaged);
        }
        if unpacked > MAX_UNPACKED {
            return Err(ProjectError::Unreadable(Message::new(
                "engine.project.too_large",
            )));
        }
        let content = miniz_oxide::inflate::decompress_to_vec_with_limit(packed, unpacked as usize)
            .map_err(|e| {
                ProjectError::Unreadable(
                    Message::new("engine.with.detail").with("why", format!("{e:?}")),
                )
            })?;
        if content.len() as u64 != unpacked || content.len() < 8 {
            return Err(ProjectError::Damaged);
        }
        let json_len =
            u64::from_le_bytes(content[..8].try_into().map_err(|_| ProjectError::Damaged)?)
                as usize;
        let json_end = 8usize
            .checked_add(json_len)
            .filter(|e| *e <= content.len())
            .ok_or(ProjectError::Damaged)?;
        let record_json =
            String::from_utf8(content[8..json_end].to_vec()).map_err(|_| ProjectError::Damaged)?;
        let data = content[json_end..].to_vec();
        Dataset::decode(&data).map_err(|e| ProjectError::Unreadable(e.into()))?;
        Ok(Project { record_json, data })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::orders::Orders;

    fn sample() -> Project {
        let data = Dataset::from_orders(Orders::from_rows(&[
            ("a".into(), 1, 5.0),
            ("b".into(), 2, 7.5),
        ]));
        Project {
            record_json: r#"{"version":2,"source":"o.csv"}"#.into(),
            data: data.encode(),
        }
    }

    #[test]
    fn round_trip_and_every_refusal() {
        let p = sample();
        let bytes = p.encode();
        assert_eq!(Project::decode(&bytes).unwrap(), p);
        assert_eq!(
            Project::decode(b"PK\x03\x04 a zip"),
            Err(ProjectError::Foreign)
        );
        assert_eq!(
            Project::decode(&bytes[..bytes.len() - 5]),
            Err(ProjectError::Truncated)
        );
        assert_eq!(Project::decode(&bytes[..20]), Err(ProjectError::Truncated));
        let mut damaged = bytes.clone();
        let last = damaged.len() - 3;
        damaged[last] ^= 0x55;
        assert_eq!(Project::decode(&damaged), Err(ProjectError::Damaged));
        let mut newer = bytes.clone();
        newer[8] = 9;
        assert_eq!(Project::decode(&newer), Err(ProjectError::Newer(9)));
        for e in [
            ProjectError::Foreign,
            ProjectError::Damaged,
            ProjectError::Newer(9),
            ProjectError::Truncated,
        ] {
            assert!(e.to_string().starts_with("This "), "{e}");
        }
    }

    #[test]
    fn data_that_does_not_decode_is_refused() {
        let p = Project {
            record_json: "{}".into(),
            data: b"not a dataset".to_vec(),
        };
        assert!(matches!(
            Project::decode(&p.encode()),
            Err(ProjectError::Unreadable(_))
        ));
    }
}
