//! `GET /`: one page, embedded in the binary (no CDN, no build step), that draws the apps'
//! dataflow as SVG from the graph JSON and polls the API every second for rates, connector
//! states and query latency, with a live tail over Server-Sent Events.

use axum::response::Html;

const PAGE: &str = include_str!("dashboard.html");

pub(super) async fn page() -> Html<&'static str> {
    Html(PAGE)
}
