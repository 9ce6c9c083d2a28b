//! Port expressions: `22,80,443`, `1-1024`, `top100`, `top1000`, `all`, service names.

use super::top_ports::TOP_TCP_PORTS;
use crate::error::InputError;

/// The service name conventionally found on `port`, if any.
pub fn service_for_port(port: u16) -> Option<&'static str> {
    crate::services::name_of_port(port)
}

/// Parses a port expression into a sorted, de-duplicated list.
///
/// Accepts comma-separated items, each a number, a range `a-b`, `top100`, `top1000`, `all`
/// (1-65535), or a service name from [`crate::services::WELL_KNOWN_TCP`].
pub fn parse_ports(expr: &str) -> Result<Vec<u16>, InputError> {
    let mut ports: Vec<u16> = Vec::new();
    let expected = "a port (1-65535), a range like 1-1024, top100, top1000, all, \
                    or a service name such as ssh";
    for raw in expr.split(',') {
        let item = raw.trim();
        let bad = || InputError::Ports {
            input: item.to_owned(),
            expected: expected.to_owned(),
        };
        if item.is_empty() {
            return Err(bad());
        }
        match item.to_ascii_lowercase().as_str() {
            "all" | "-" => ports.extend(1..=u16::MAX),
            "top100" => ports.extend_from_slice(&TOP_TCP_PORTS[..100]),
            "top1000" => ports.extend_from_slice(&TOP_TCP_PORTS),
            lower => {
                // Names first: many contain a hyphen (`netbios-ssn`) and are no range.
                if let Some(port) = crate::services::port_of_name(lower) {
                    ports.push(port);
                } else if let Some((a, b)) = lower.split_once('-') {
                    let first = parse_port_number(a).ok_or_else(bad)?;
                    let last = parse_port_number(b).ok_or_else(bad)?;
                    if first > last {
                        return Err(bad());
                    }
                    ports.extend(first..=last);
                } else if let Some(port) = parse_port_number(lower) {
                    ports.push(port);
                } else {
                    return Err(bad());
                }
            }
        }
    }
    ports.sort_unstable();
    ports.dedup();
    Ok(ports)
}

fn parse_port_number(s: &str) -> Option<u16> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<u16>().ok().filter(|&p| p != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lists_ranges_and_names() {
        assert_eq!(parse_ports("22,80-82, ssh").unwrap(), vec![22, 80, 81, 82]);
        assert_eq!(parse_ports("all").unwrap().len(), 65535);
        assert_eq!(parse_ports("top100").unwrap().len(), 100);
        assert_eq!(parse_ports("top1000").unwrap().len(), 1000);
        assert_eq!(parse_ports("rdp").unwrap(), vec![3389]);
        assert_eq!(parse_ports("ms-wbt-server").unwrap(), vec![3389]);
        assert_eq!(parse_ports("netbios-ssn,ms-sql").unwrap(), vec![139, 1433]);
    }

    #[test]
    fn rejects_bad_items() {
        for bad in ["0", "65536", "10-5", "sshh", "", "1,,2", "-5", "80-"] {
            assert!(parse_ports(bad).is_err(), "{bad} should be rejected");
        }
    }
}
