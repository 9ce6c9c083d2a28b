//! TFTP (RFC 1350): a read request for a file name no server holds. Any answer, even an
//! error from a new port, is a TFTP server; postura never writes.

use crate::facts::TftpFacts;

/// A read request in octet mode.
pub fn read_request(file_name: &str) -> Vec<u8> {
    let mut out = vec![0x00, 0x01];
    out.extend_from_slice(file_name.as_bytes());
    out.push(0);
    out.extend_from_slice(b"octet");
    out.push(0);
    out
}

/// An ERROR packet that ends a transfer a server started anyway (code 0, "not defined").
pub fn abort() -> Vec<u8> {
    let mut out = vec![0x00, 0x05, 0x00, 0x00];
    out.extend_from_slice(b"transfer cancelled");
    out.push(0);
    out
}

/// Reads a TFTP answer from port `from_port`; `None` for anything else.
pub fn parse_answer(data: &[u8], file_name: &str, from_port: u16) -> Option<TftpFacts> {
    let opcode = u16::from_be_bytes([*data.first()?, *data.get(1)?]);
    let (answer, error_code, message) = match opcode {
        5 => {
            let code = u16::from_be_bytes([*data.get(2)?, *data.get(3)?]);
            let text = &data[4..];
            let end = text.iter().position(|b| *b == 0).unwrap_or(text.len());
            let message: String = String::from_utf8_lossy(&text[..end])
                .chars()
                .take(160)
                .collect();
            (
                "error",
                Some(code),
                Some(crate::facts::escape_controls(&message)),
            )
        }
        3 if data.len() >= 4 => ("data", None, None),
        6 => ("oack", None, None),
        _ => return None,
    };
    Some(TftpFacts {
        file_name: file_name.to_owned(),
        answer: answer.to_owned(),
        error_code,
        message,
        from_port,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_not_found_error_reads() {
        let facts = parse_answer(b"\x00\x05\x00\x01File not found\x00", "x", 40000).unwrap();
        assert_eq!(facts.answer, "error");
        assert_eq!(facts.error_code, Some(1));
        assert_eq!(facts.message.as_deref(), Some("File not found"));
        assert!(parse_answer(b"\x00\x01x\x00octet\x00", "x", 69).is_none());
    }
}
