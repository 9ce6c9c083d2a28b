//! The read-only service probes, as a registry like the evidence `FORMATS`: each entry names
//! the services it probes and how it records what it finds. A new probe is one function here
//! and one entry in [`SERVICE_PROBES`].

use std::future::Future;
use std::pin::Pin;

use super::banner::BannerTiming;
use super::{PortUpdate, ServiceJob, services};
use crate::facts::{GuessMethod, ProbeError, ServiceGuess};

/// What a probe's run returns: it records its facts in the port's update.
pub(super) type ProbeRun<'a> = Pin<Box<dyn Future<Output = Result<(), ProbeError>> + Send + 'a>>;

/// One read-only probe of a service that is often left open.
pub(super) struct ServiceProber {
    /// The service names (guessed from the port or the banner) it probes.
    pub(super) services: &'static [&'static str],
    /// Whether a banner's guess may start it, not only the port: Elasticsearch is asked only
    /// on its own port, since every HTTP server's banner would otherwise qualify.
    pub(super) from_banner: bool,
    /// Runs the probe against the job's address and records what it found.
    pub(super) run: for<'a> fn(&'a ServiceJob, BannerTiming, &'a mut PortUpdate) -> ProbeRun<'a>,
}

/// Every service probe.
pub(super) static SERVICE_PROBES: &[ServiceProber] = &[
    ServiceProber {
        services: &["redis"],
        from_banner: true,
        run: |job, timing, update| Box::pin(redis(job, timing, update)),
    },
    ServiceProber {
        services: &["elasticsearch"],
        from_banner: false,
        run: |job, timing, update| Box::pin(elasticsearch(job, timing, update)),
    },
    ServiceProber {
        services: &["ftp"],
        from_banner: true,
        run: |job, timing, update| Box::pin(ftp(job, timing, update)),
    },
    ServiceProber {
        services: &["memcached"],
        from_banner: true,
        run: |job, timing, update| Box::pin(memcached(job, timing, update)),
    },
    ServiceProber {
        services: &["telnet"],
        from_banner: true,
        run: |job, timing, update| Box::pin(telnet(job, timing, update)),
    },
    ServiceProber {
        services: &["rdp", "ms-wbt-server"],
        from_banner: false,
        run: |job, timing, update| Box::pin(rdp(job, timing, update)),
    },
    ServiceProber {
        services: &["microsoft-ds", "smb"],
        from_banner: false,
        run: |job, timing, update| Box::pin(smb(job, timing, update)),
    },
];

/// The probe for a service guessed from the port, or from a banner when `from_banner`.
pub(super) fn prober_for(service: &str, from_banner: bool) -> Option<&'static ServiceProber> {
    SERVICE_PROBES
        .iter()
        .find(|p| p.services.contains(&service) && (p.from_banner || !from_banner))
}

/// The service a probe confirmed.
fn confirmed(name: &str, product: Option<String>) -> Option<ServiceGuess> {
    Some(ServiceGuess {
        name: name.to_owned(),
        method: GuessMethod::Probe,
        product,
    })
}

async fn redis(
    job: &ServiceJob,
    timing: BannerTiming,
    update: &mut PortUpdate,
) -> Result<(), ProbeError> {
    let facts = services::probe_redis(job.addr, timing).await?;
    let product = facts.version.as_ref().map(|v| format!("Redis {v}"));
    update.probe_guess = confirmed("redis", product);
    update.redis = Some(facts);
    Ok(())
}

async fn elasticsearch(
    job: &ServiceJob,
    timing: BannerTiming,
    update: &mut PortUpdate,
) -> Result<(), ProbeError> {
    let facts = services::probe_elasticsearch(job.addr, &job.host_header, timing).await?;
    if facts.version.is_some() || facts.auth_required {
        let name = facts.distribution.as_deref().unwrap_or("elasticsearch");
        update.probe_guess = confirmed(name, facts.version.clone());
    }
    update.elasticsearch = Some(facts);
    Ok(())
}

async fn ftp(
    job: &ServiceJob,
    timing: BannerTiming,
    update: &mut PortUpdate,
) -> Result<(), ProbeError> {
    let (facts, banner) = services::probe_ftp(job.addr, timing).await?;
    let product = facts.greeting.trim_start_matches("220").trim().to_owned();
    update.probe_guess = confirmed("ftp", Some(product));
    update.ftp = Some(facts);
    update.banner = Some(banner);
    Ok(())
}

async fn memcached(
    job: &ServiceJob,
    timing: BannerTiming,
    update: &mut PortUpdate,
) -> Result<(), ProbeError> {
    let facts = services::probe_memcached(job.addr, timing).await?;
    if facts.stats_open {
        update.probe_guess = confirmed("memcached", facts.version.clone());
    }
    update.memcached = Some(facts);
    Ok(())
}

async fn telnet(
    job: &ServiceJob,
    timing: BannerTiming,
    update: &mut PortUpdate,
) -> Result<(), ProbeError> {
    let (facts, banner) = services::probe_telnet(job.addr, timing).await?;
    if facts.negotiation {
        update.probe_guess = confirmed("telnet", None);
    }
    update.telnet = Some(facts);
    update.banner = Some(banner);
    Ok(())
}

async fn smb(
    job: &ServiceJob,
    timing: BannerTiming,
    update: &mut PortUpdate,
) -> Result<(), ProbeError> {
    let facts = super::smb::probe_smb(job.addr, timing).await?;
    update.probe_guess = confirmed("microsoft-ds", Some(format!("SMB {}", facts.dialect)));
    update.smb = Some(facts);
    Ok(())
}

async fn rdp(
    job: &ServiceJob,
    timing: BannerTiming,
    update: &mut PortUpdate,
) -> Result<(), ProbeError> {
    let facts = super::rdp::probe_rdp(job.addr, timing).await?;
    let security = facts.selected.clone().or_else(|| facts.refusal.clone());
    update.probe_guess = confirmed("rdp", security.map(|s| format!("RDP, security {s}")));
    update.rdp = Some(facts);
    Ok(())
}
