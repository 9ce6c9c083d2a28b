//! Encryption at rest: block devices and what they sit on, LUKS headers, BitLocker volumes,
//! cloud volumes and buckets.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::SourceRef;

/// What a host's (or cloud asset's) evidence says about encryption at rest.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct EncryptionFacts {
    /// Volumes and mounted filesystems.
    #[serde(default)]
    pub volumes: Vec<VolumeFacts>,
    /// LUKS headers (`cryptsetup luksDump`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub luks: Vec<LuksFacts>,
}

/// A volume or mounted filesystem and the encryption under it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct VolumeFacts {
    /// Device (`/dev/sda2`, `nvme0n1p3`), drive (`C:`), or cloud id (`vol-...`, bucket name).
    pub name: String,
    /// `filesystem` (lsblk), `bitlocker`, `aws-ebs`, `aws-s3`.
    pub kind: String,
    /// Where it is mounted (`/`, `/srv`); empty when not mounted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mountpoints: Vec<String>,
    /// Filesystem type (`ext4`, `xfs`, `NTFS`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fstype: Option<String>,
    /// It holds data worth protecting: mounted (swap included), and not only boot files
    /// (`/boot`, `/boot/efi`), or a cloud volume or bucket.
    pub holds_data: bool,
    /// It sits on an encrypted layer (dm-crypt/LUKS, BitLocker with protection on, EBS or S3
    /// encryption); `None` when the export does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted: Option<bool>,
    /// The encrypting layer (`crypt` device `luks-1234`, BitLocker, KMS key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    /// Cipher or method (`aes-xts-plain64`, `XTS-AES 128`, `aws:kms`, `AES256`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// BitLocker key protectors (`TPM`, `TPM And PIN`, `Numerical Password`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_protectors: Vec<String>,
    /// Where it was read.
    pub source: SourceRef,
    /// Other exports of the host that list the same volume (`lsblk -J` and `lsblk -J -f`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_in: Vec<SourceRef>,
}

/// A LUKS header.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct LuksFacts {
    /// The device or file dumped, as the export names it (file name when it does not).
    pub device: String,
    /// 1 or 2.
    pub version: u8,
    /// UUID, to join `lsblk` devices.
    pub uuid: String,
    /// Data cipher (`aes-xts-plain64`, `aes-cbc-essiv:sha256`).
    pub cipher: String,
    /// Master key size in bits (512 for AES-256-XTS).
    pub key_bits: u32,
    /// Key derivation of each active key slot.
    pub keyslots: Vec<LuksKeyslot>,
    /// Where it was read.
    pub source: SourceRef,
}

/// One active LUKS key slot.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct LuksKeyslot {
    /// Slot number.
    pub slot: u32,
    /// `pbkdf2`, `argon2i`, `argon2id`.
    pub pbkdf: String,
    /// PBKDF2 iterations or Argon2 time cost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iterations: Option<u64>,
    /// Argon2 memory in KiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_kib: Option<u64>,
}
