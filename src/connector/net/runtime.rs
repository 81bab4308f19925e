//! The process-wide tokio runtime and TLS client configuration shared by network connectors.
//! Connectors run on engine threads and enter the runtime with `block_on`; sockets are driven by
//! the runtime's two worker threads.

use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::CertificateDer;
use std::path::{Path, PathBuf};
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

/// Why a `tls.ca.file` cannot be trusted. The texts name the file.
#[derive(Debug, thiserror::Error)]
pub enum CaFileError {
    #[error("cannot read CA file '{}': {source}", .path.display())]
    Unreadable { path: PathBuf, source: pem::Error },
    #[error("CA file '{}': {source}", .path.display())]
    BadPem { path: PathBuf, source: pem::Error },
    #[error("CA file '{}': {source}", .path.display())]
    Rejected {
        path: PathBuf,
        source: rustls::Error,
    },
    #[error("CA file '{}' holds no PEM certificate", .path.display())]
    Empty { path: PathBuf },
}

/// The same, also trusting the PEM certificates in `ca_file` (a private CA, a self-signed
/// server).
pub fn tls_client_config_with(
    ca_file: Option<&Path>,
) -> Result<Arc<rustls::ClientConfig>, CaFileError> {
    let Some(path) = ca_file else {
        return Ok(tls_client_config());
    };
    let path_buf = || path.to_path_buf();
    let mut roots = webpki();
    let certs = CertificateDer::pem_file_iter(path).map_err(|source| CaFileError::Unreadable {
        path: path_buf(),
        source,
    })?;
    let mut added = 0;
    for cert in certs {
        let cert = cert.map_err(|source| CaFileError::BadPem {
            path: path_buf(),
            source,
        })?;
        roots.add(cert).map_err(|source| CaFileError::Rejected {
            path: path_buf(),
            source,
        })?;
        added += 1;
    }
    if added == 0 {
        return Err(CaFileError::Empty { path: path_buf() });
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
