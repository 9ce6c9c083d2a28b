//! DNS: one query with recursion desired for a name outside any private server's zones. The
//! RA bit and the response code tell an open resolver (recursion offered to this client)
//! from one that refuses. Messages are built and read with `hickory-proto`.

use hickory_proto::op::{Message, MessageType, OpCode, Query};
use hickory_proto::rr::{Name, RecordType};

use crate::facts::DnsFacts;

/// The name asked: reserved for documentation (RFC 2606), served by IANA, in no company's
/// own zones.
pub const QUERY_NAME: &str = "example.com.";

/// A recursive A query for [`QUERY_NAME`].
pub fn query(id: u16) -> Vec<u8> {
    let mut message = Message::new(id, MessageType::Query, OpCode::Query);
    message.metadata.recursion_desired = true;
    let name = Name::from_ascii(QUERY_NAME).unwrap_or_else(|_| Name::root());
    message.add_query(Query::query(name, RecordType::A));
    message.to_vec().unwrap_or_default()
}

/// Reads the answer to the query with `id`; `None` for anything else.
pub fn parse_answer(data: &[u8], id: u16) -> Option<DnsFacts> {
    let message = Message::from_vec(data).ok()?;
    let meta = &message.metadata;
    if meta.id != id || meta.message_type != MessageType::Response {
        return None;
    }
    Some(DnsFacts {
        query: format!("{QUERY_NAME} A"),
        rcode: rcode_name(u16::from(meta.response_code)),
        recursion_available: meta.recursion_available,
        authoritative: meta.authoritative,
        answers: u16::try_from(message.answers.len()).unwrap_or(u16::MAX),
    })
}

/// The RFC 1035 mnemonic of a response code.
fn rcode_name(code: u16) -> String {
    match code {
        0 => "NOERROR".into(),
        1 => "FORMERR".into(),
        2 => "SERVFAIL".into(),
        3 => "NXDOMAIN".into(),
        4 => "NOTIMP".into(),
        5 => "REFUSED".into(),
        n => format!("RCODE{n}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_reads_back_with_recursion_desired() {
        let bytes = query(0x4242);
        let message = Message::from_vec(&bytes).expect("parses");
        assert!(message.metadata.recursion_desired);
        assert_eq!(message.queries.len(), 1);
        // A query is not an answer.
        assert!(parse_answer(&bytes, 0x4242).is_none());
    }
}
