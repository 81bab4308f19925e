//! The process-wide tokio runtime and TLS client configuration shared by network connectors.
//! Connectors run on engine threads and enter the runtime with `block_on`; sockets are driven by
//! the runtime's two worker threads.

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
    CONFIG
        .get_or_init(|| {
            let roots =
                rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .expect("ring supports the default TLS versions")
                .with_root_certificates(roots)
                .with_no_client_auth();
            Arc::new(config)
        })
        .clone()
}
