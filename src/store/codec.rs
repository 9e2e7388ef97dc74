//! The one way values reach the disk: a format version byte, then bincode 2.
//!
//! Decoding rejects unknown versions and any byte left unread, so a struct that changed shape
//! can never be silently reinterpreted. Changing a stored struct means a new version number
//! and an explicit, tested upgrade of the old one.

use serde::{Serialize, de::DeserializeOwned};

/// The record format this build writes.
pub const RECORD_VERSION: u8 = 1;

#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    #[error("empty record")]
    Empty,
    #[error("record format {found} is newer than this build reads (up to {RECORD_VERSION})")]
    NewerVersion { found: u8 },
    #[error("record format {found} is unknown")]
    UnknownVersion { found: u8 },
    #[error("record is malformed: {0}")]
    Malformed(String),
    #[error("record has {unread} byte(s) left unread after decoding")]
    TrailingBytes { unread: usize },
}

fn config() -> bincode::config::Configuration {
    bincode::config::standard()
}

/// Encodes `value` behind the current format version.
pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    let mut bytes = vec![RECORD_VERSION];
    // NOTE: encoding into a Vec only fails for types serde cannot describe, which none of ours are.
    if let Err(error) = bincode::serde::encode_into_std_write(value, &mut bytes, config()) {
        tracing::error!(%error, "encoding a record failed");
    }
    bytes
}

/// Decodes a value written by [`encode`], checking the version and that every byte was used.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    let (value, read, body_len) = decode_start(bytes)?;
    if read != body_len {
        return Err(CodecError::TrailingBytes {
            unread: body_len - read,
        });
    }
    Ok(value)
}

/// Decodes only the first field of a record written by [`encode`], a struct whose first
/// field is a `T`: bincode writes fields in order, so the rest is left unread.
pub fn decode_leading<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    decode_start(bytes).map(|(value, _, _)| value)
}

/// Checks the version, decodes a `T` from the start of the body, and returns it with the
/// bytes it took and the body's length.
fn decode_start<T: DeserializeOwned>(bytes: &[u8]) -> Result<(T, usize, usize), CodecError> {
    let (&version, body) = bytes.split_first().ok_or(CodecError::Empty)?;
    match version {
        RECORD_VERSION => {}
        found if found > RECORD_VERSION => return Err(CodecError::NewerVersion { found }),
        found => return Err(CodecError::UnknownVersion { found }),
    }
    let (value, read) = bincode::serde::decode_from_slice(body, config())
        .map_err(|error| CodecError::Malformed(error.to_string()))?;
    Ok((value, read, body.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Small {
        name: String,
        sessions: u32,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Grown {
        name: String,
        sessions: u32,
        #[serde(default)]
        extra: u32,
    }

    #[test]
    fn round_trip() {
        let value = Small {
            name: "Zoé".into(),
            sessions: 10,
        };
        assert_eq!(decode::<Small>(&encode(&value)).unwrap(), value);
    }

    #[test]
    fn grown_struct_is_an_error() {
        let bytes = encode(&Small {
            name: "a".into(),
            sessions: 1,
        });
        assert!(matches!(
            decode::<Grown>(&bytes),
            Err(CodecError::Malformed(_))
        ));
    }

    #[test]
    fn shrunk_struct_leaves_bytes() {
        let bytes = encode(&Grown {
            name: "a".into(),
            sessions: 1,
            extra: 2,
        });
        assert!(matches!(
            decode::<Small>(&bytes),
            Err(CodecError::TrailingBytes { unread: 1 })
        ));
    }

    #[test]
    fn leading_field_decodes_alone() {
        let bytes = encode(&Grown {
            name: "Zoé".into(),
            sessions: 3,
            extra: 4,
        });
        assert_eq!(decode_leading::<String>(&bytes).unwrap(), "Zoé");
    }

    #[test]
    fn versions_checked() {
        let mut bytes = encode(&Small {
            name: "a".into(),
            sessions: 1,
        });
        bytes[0] = RECORD_VERSION + 1;
        assert!(matches!(
            decode::<Small>(&bytes),
            Err(CodecError::NewerVersion { .. })
        ));
        bytes[0] = 0;
        assert!(matches!(
            decode::<Small>(&bytes),
            Err(CodecError::UnknownVersion { found: 0 })
        ));
        assert!(matches!(decode::<Small>(&[]), Err(CodecError::Empty)));
    }
}
