//! The OpenAPI document of the control plane, made from the handlers' own annotations
//! (utoipa) and served at `/openapi.json`; the docs site's API page is generated from it.

use super::{apps, connectors, error, ingest, streams};
use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        api.security = Some(vec![utoipa::openapi::security::SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]);
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "EventFlux control plane",
        description = "Watch and steer running EventFlux apps. With --token-file (or \
            EVENTFLUX_TOKEN) every route except /healthz wants `Authorization: Bearer TOKEN` \
            (or `?token=TOKEN`). Errors are `{\"error\": {\"code\", \"message\", \"details\"}}`."
    ),
    paths(
        super::healthz, super::readyz, super::metrics_text,
        apps::list, apps::create, apps::detail, apps::graph, apps::stop, apps::delete,
        streams::list, streams::send, streams::tail, streams::queries,
        connectors::list,
        ingest::list, ingest::detail, ingest::pause, ingest::resume, ingest::disconnect,
        ingest::stats,
    ),
    components(schemas(error::ErrorBody, error::ErrorDetail)),
    modifiers(&BearerAuth),
    tags(
        (name = "health", description = "Liveness and readiness probes"),
        (name = "metrics", description = "Prometheus metrics"),
        (name = "apps", description = "Deploy, describe, stop and delete apps"),
        (name = "streams", description = "Stream counters, events in, live tail, query counters"),
        (name = "connectors", description = "Sources and sinks: state, counters, health"),
        (name = "ingest", description = "Live media ingest streams and process totals"),
    )
)]
struct ApiDoc;

/// The document, as `/openapi.json` serves it.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub(super) async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi())
}
