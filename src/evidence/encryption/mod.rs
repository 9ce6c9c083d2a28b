//! Encryption-at-rest evidence: `lsblk` (JSON and pairs), `cryptsetup luksDump`. Volumes of a
//! host are joined to the LUKS headers under them by UUID.

pub mod aws;
pub mod bitlocker;
pub mod lsblk;
pub mod luks;

use crate::facts::{EncryptionFacts, LuksFacts, VolumeFacts};

/// The encryption facts of one host: its volumes, with the cipher of the LUKS header under an
/// encrypted volume filled in where a header's UUID matches.
pub fn host_facts(all: Vec<VolumeFacts>, luks: Vec<LuksFacts>) -> EncryptionFacts {
    // Several exports of one host (`lsblk -J` and `lsblk -J -f`) list the same volume once.
    let mut volumes: Vec<VolumeFacts> = Vec::with_capacity(all.len());
    for volume in all {
        match volumes
            .iter_mut()
            .find(|v| v.name == volume.name && v.mountpoints == volume.mountpoints)
        {
            Some(known) => {
                known.fstype = known.fstype.take().or(volume.fstype);
                known.layer = known.layer.take().or(volume.layer);
                known.encrypted = known.encrypted.or(volume.encrypted);
                known.also_in.push(volume.source);
            }
            None => volumes.push(volume),
        }
    }
    for volume in &mut volumes {
        let Some(layer) = volume.layer.as_deref() else {
            continue;
        };
        if let Some(header) = luks
            .iter()
            .find(|h| !h.uuid.is_empty() && layer.contains(&h.uuid))
        {
            volume.method = Some(format!(
                "LUKS{} {} {} bits",
                header.version, header.cipher, header.key_bits
            ));
        }
    }
    EncryptionFacts { volumes, luks }
}
