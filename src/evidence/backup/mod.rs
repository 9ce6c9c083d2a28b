//! Backup listings: `restic snapshots --json` and `borg list --json` / `borg info --json`.
//! Each becomes backup sets with their newest and oldest complete backup; the age is judged
//! against the RPO at judgement time, as of `--as-of`.

pub mod aws_backup;
pub mod borg;
pub mod folder;
pub mod restic;
