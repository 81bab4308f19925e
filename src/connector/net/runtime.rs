//! The process-wide tokio runtime and TLS client configuration shared by network connectors.
//! Connectors run on engine threads and enter the runtime with `block_on`; sockets are driven by
//! the runtime's two worker threads.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// The shared runtime, started on first use.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("eventflux-net")
            .enable_all()
            .build()
            .expect("starting the network runtime")
    })
}

/// rustls with the ring provider and the webpki root certificates (compiled in, so nothing is
/// read from the machine or fetched at run time).
pub fn tls_client_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG.get_or_init(|| Arc::new(build(webpki()))).clone()
}

/// The same, also trusting the PEM certificates in `ca_file` (a private CA, a self-signed
/// server). Errors name the file.
pub fn tls_client_config_with(ca_file: Option<&Path>) -> Result<Arc<rustls::ClientConfig>, String> {
    let Some(path) = ca_file else {
        return Ok(tls_client_config());
    };
    let mut roots = webpki();
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("cannot read CA file '{}': {e}", path.display()))?;
    let mut added = 0;
    for cert in certs {
        let cert = cert.map_err(|e| format!("CA file '{}': {e}", path.display()))?;
        roots
            .add(cert)
            .map_err(|e| format!("CA file '{}': {e}", path.display()))?;
        added += 1;
    }
    if added == 0 {
        return Err(format!(
            "CA file '{}' holds no PEM certificate",
            path.display()
        ));
    }
    Ok(Arc::new(build(roots)))
}

fn webpki() -> rustls::RootCertStore {
    rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned())
}

fn build(roots: rustls::RootCertStore) -> rustls::ClientConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth()
}
