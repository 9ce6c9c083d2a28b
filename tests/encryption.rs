//! Encryption-at-rest evidence: lsblk and cryptsetup run for real on loop-file volumes the test
//! makes (device-mapper is not available here, so no LUKS volume is opened), and the
//! committed captures.

use std::process::Command;

use crate::support::{finding_state, host_named, is_root, judge_evidence, repo, require};

fn output(program: &str, args: &[&str]) -> Vec<u8> {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A loop device over an image file, mounted; undone when dropped.
struct Mounted {
    loop_device: String,
    mountpoint: tempfile::TempDir,
    _image: tempfile::NamedTempFile,
}

impl Mounted {
    fn new() -> Self {
        let image = tempfile::NamedTempFile::new().unwrap();
        image.as_file().set_len(24 << 20).unwrap();
        let path = image.path().to_str().unwrap().to_owned();
        output("mkfs.ext4", &["-q", "-F", &path]);
        let loop_device = String::from_utf8(output("losetup", &["-f", "--show", &path]))
            .unwrap()
            .trim()
            .to_owned();
        let mountpoint = tempfile::tempdir().unwrap();
        output(
            "mount",
            &[&loop_device, mountpoint.path().to_str().unwrap()],
        );
        Self {
            loop_device,
            mountpoint,
            _image: image,
        }
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.mountpoint.path()).status();
        let _ = Command::new("losetup")
            .args(["-d", &self.loop_device])
            .status();
    }
}

#[test]
fn lsblk_of_a_real_mounted_volume_in_every_shape() {
    if !is_root() || !require("losetup") || !require("mkfs.ext4") || !require("lsblk") {
        return;
    }
    let volume = Mounted::new();
    let dir = tempfile::tempdir().unwrap();
    let host = dir.path().join("srv02");
    std::fs::create_dir_all(&host).unwrap();
    let dev = volume.loop_device.as_str();
    for (file, args) in [
        ("lsblk.json", vec!["-J", dev]),
        ("lsblk-O.json", vec!["-J", "-O", dev]),
        ("lsblk-b-f.json", vec!["-J", "-b", "-f", dev]),
        (
            "lsblk-P.txt",
            vec!["-P", "-o", "NAME,TYPE,FSTYPE,MOUNTPOINTS,PKNAME", dev],
        ),
    ] {
        std::fs::write(host.join(file), output("lsblk", &args)).unwrap();
    }
    let result = judge_evidence(dir.path(), &[]);
    let files = result["facts"]["evidence_files"].as_array().unwrap();
    assert!(files.iter().all(|f| f["status"] == "used"), "{files:?}");
    let volumes = &result["facts"]["hosts"][0]["encryption"]["volumes"];
    // Four exports of one volume make one volume.
    assert_eq!(volumes.as_array().unwrap().len(), 1, "{volumes}");
    assert_eq!(
        volumes[0]["mountpoints"][0],
        volume.mountpoint.path().to_str().unwrap()
    );
    assert_eq!(volumes[0]["encrypted"], false);
    assert_eq!(
        finding_state(&result, "enc-volume-unencrypted", "srv02"),
        "fail"
    );
}

#[test]
fn luks_headers_formatted_by_cryptsetup() {
    if !is_root() || !require("cryptsetup") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let images = tempfile::tempdir().unwrap();
    let dump = |host: &str, file: &str, format: &[&str]| {
        let image = images.path().join(file);
        std::fs::File::create(&image)
            .unwrap()
            .set_len(40 << 20)
            .unwrap();
        let image = image.to_str().unwrap().to_owned();
        let mut child = Command::new("cryptsetup")
            .args(["luksFormat", "--batch-mode"])
            .args(format)
            .args([&image, "-"])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"test-passphrase")
            .unwrap();
        assert!(child.wait().unwrap().success());
        std::fs::create_dir_all(dir.path().join(host)).unwrap();
        std::fs::write(
            dir.path().join(host).join(format!("{file}.txt")),
            output("cryptsetup", &["luksDump", &image]),
        )
        .unwrap();
    };
    dump(
        "old",
        "luks1",
        &[
            "--type",
            "luks1",
            "--cipher",
            "aes-cbc-essiv:sha256",
            "--key-size",
            "256",
            "--iter-time",
            "10",
        ],
    );
    dump(
        "new",
        "luks2",
        &[
            "--type",
            "luks2",
            "--pbkdf",
            "argon2id",
            "--pbkdf-force-iterations",
            "4",
            "--pbkdf-memory",
            "131072",
        ],
    );
    let result = judge_evidence(dir.path(), &[]);
    let header = |host: &str| host_named(&result, host)["encryption"]["luks"][0].clone();
    assert_eq!(header("old")["version"], 1);
    assert_eq!(header("old")["cipher"], "aes-cbc-essiv:sha256");
    assert_eq!(header("old")["key_bits"], 256);
    assert_eq!(header("old")["keyslots"][0]["pbkdf"], "pbkdf2");
    assert_eq!(header("new")["version"], 2);
    assert_eq!(header("new")["cipher"], "aes-xts-plain64");
    assert_eq!(header("new")["key_bits"], 512);
    assert_eq!(header("new")["keyslots"][0]["pbkdf"], "argon2id");
    assert_eq!(header("new")["keyslots"][0]["memory_kib"], 131072);
    assert_eq!(
        finding_state(&result, "enc-luks-weak-settings", "old"),
        "fail"
    );
    assert_eq!(
        finding_state(&result, "enc-luks-weak-settings", "new"),
        "pass"
    );
}

#[test]
fn encrypted_laptop_layout_joins_its_luks_header() {
    let result = judge_evidence(&repo().join("fixtures/evidence/encryption"), &[]);
    let laptop = host_named(&result, "laptop01");
    let root = laptop["encryption"]["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["mountpoints"][0] == "/")
        .unwrap();
    assert_eq!(root["encrypted"], true);
    assert_eq!(root["method"], "LUKS2 aes-xts-plain64 512 bits");
    // The unencrypted exFAT stick is the finding; /boot is not.
    let evidence = result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check_id"] == "enc-volume-unencrypted" && f["asset"] == "laptop01")
        .unwrap()["evidence"]
        .to_string();
    assert!(evidence.contains("/media/anna/TRANSFER"), "{evidence}");
    assert!(!evidence.contains("/boot"), "{evidence}");
}

#[test]
fn aws_volumes_and_bucket_encryption() {
    let result = judge_evidence(&repo().join("fixtures/evidence/encryption/aws"), &[]);
    assert_eq!(
        finding_state(&result, "enc-volume-unencrypted", "vol-0f9e8d7c6b5a40321"),
        "fail"
    );
    assert_eq!(
        finding_state(&result, "enc-volume-unencrypted", "vol-0a1b2c3d4e5f60718"),
        "pass"
    );
    // The bucket is named by the file: get-bucket-encryption does not name it.
    let bucket = host_named(&result, "s3:invoices-archive");
    assert_eq!(bucket["encryption"]["volumes"][0]["method"], "aws:kms");
}

#[test]
fn bitlocker_status_in_english_utf16_and_german_code_page_850() {
    let result = judge_evidence(&repo().join("fixtures/evidence/encryption"), &[]);
    let volumes = |host: &str| host_named(&result, host)["encryption"]["volumes"].clone();
    let english = volumes("win04");
    assert_eq!(english[0]["name"], "C:");
    assert_eq!(english[0]["method"], "XTS-AES 128");
    assert_eq!(english[0]["key_protectors"][0], "TPM");
    assert_eq!(english[1]["encrypted"], false);
    let german = volumes("win05");
    assert_eq!(german[0]["encrypted"], true);
    assert_eq!(german[0]["method"], "XTS-AES 256");
    assert_eq!(german[0]["key_protectors"][0], "TPM und PIN");
    assert_eq!(
        finding_state(&result, "enc-volume-unencrypted", "win04"),
        "fail"
    );
    assert_eq!(
        finding_state(&result, "enc-bitlocker-tpm-only", "win04"),
        "fail"
    );
    assert_eq!(
        finding_state(&result, "enc-bitlocker-tpm-only", "win05"),
        "pass"
    );
    assert_eq!(
        finding_state(&result, "enc-bitlocker-weak-method", "win05"),
        "pass"
    );
}

/// Found by the evidence fuzzer: an `lsblk -P` line naming its own device as `PKNAME` made the
/// walk down the device tree run until memory ran out. It ends, and the volume is judged.
#[test]
fn a_device_listed_as_its_own_parent_ends() {
    let dir = tempfile::tempdir().unwrap();
    let host = dir.path().join("loop01");
    std::fs::create_dir_all(&host).unwrap();
    std::fs::write(
        host.join("lsblk-P.txt"),
        "NAME=\"loop0\" TYPE=\"loop\" FSTYPE=\"ext4\" UUID=\"\" MOUNTPOINTS=\"/srv/data\" PKNAME=\"loop0\"\n\
         NAME=\"sda\" TYPE=\"disk\" FSTYPE=\"\" UUID=\"\" MOUNTPOINTS=\"\" PKNAME=\"sda1\"\n\
         NAME=\"sda1\" TYPE=\"part\" FSTYPE=\"ext4\" UUID=\"\" MOUNTPOINTS=\"/\" PKNAME=\"sda\"\n",
    )
    .unwrap();
    let result = crate::support::judge_evidence(dir.path(), &[]);
    let volumes = crate::support::host_named(&result, "loop01")["encryption"]["volumes"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(volumes.len(), 2, "{volumes:?}");
    assert!(volumes.iter().all(|v| v["encrypted"] == false));
}
