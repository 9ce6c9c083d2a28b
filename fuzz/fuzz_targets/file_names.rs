//! File names, which decide placement and backup series: host from a name, the `sshd -T -C`
//! specification, the series of a backup file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(name) = std::str::from_utf8(data) else {
        return;
    };
    let (place, spec) = postura::fuzzing::place(name);
    assert!(!place.contains('\0') || name.contains('\0'));
    if let Some((spec, base)) = spec {
        assert!(spec.len() + base.len() <= name.len());
    }
    let (_, label, _) = postura::fuzzing::backup_series(name);
    // The label replaces what varies by `*`: never longer than the name plus one star per byte.
    assert!(label.len() <= name.len() * 2 + 1);
});
