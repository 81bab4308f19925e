//! `mjpeg` sink: an HTTP server (axum) that serves the stream's JPEG frames as
//! `multipart/x-mixed-replace` to any number of viewers, plus the latest frame as a snapshot and
//! a page to watch it in a browser.

use super::params::{
    BOUNDARY, FRAME_ATTRIBUTE, HOST, MAX_VIEWERS, PATH, PORT, VIEWER_QUEUE_FRAMES,
};
use super::viewers::{Hub, ViewerStream};
use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::error::{ERROR_PARAMS, SINK_BUFFER_PARAMS_WITHOUT_BATCH};
use crate::connector::media::fields::{self, bytes_attribute};
use crate::connector::net::runtime;
use crate::connector::param::{specs, Describe};
use crate::connector::spec::ConnectorSpec;
use crate::connector::{ConnectorError, Rejects, Sink, SinkFactory, SinkMapper};
use crate::event::Event;
use crate::media::jpeg;
use crate::schema::Schema;
use crate::value::Value;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use std::sync::Arc;
use std::time::Duration;

const PARAMS: &[&dyn Describe] = &[
    &HOST,
    &PORT,
    &PATH,
    &BOUNDARY,
    &FRAME_ATTRIBUTE,
    &MAX_VIEWERS,
    &VIEWER_QUEUE_FRAMES,
];

pub struct MjpegSinkFactory;

impl SinkFactory for MjpegSinkFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "mjpeg",
            aliases: &[],
            description: "Serves the stream's JPEG frames over HTTP as an MJPEG stream \
                (multipart/x-mixed-replace) that browsers, VLC and ffmpeg play, to any number \
                of viewers at once. Each frame is shared by all viewers, never copied. Each \
                viewer has a small bounded queue (viewer.queue.frames): a slow viewer skips \
                frames, counted per viewer, and never slows the app or the others; a new viewer \
                starts at the next frame. path/snapshot.jpg answers with the latest frame (503 \
                before the first) and path/view with a page showing the stream. The payload \
                is the stream's BYTES attribute (the only one, or frame.attribute); an event \
                whose payload is not a whole JPEG goes to the error strategy.",
            params: specs(&[PARAMS, SINK_BUFFER_PARAMS_WITHOUT_BATCH, ERROR_PARAMS]),
            formats: &[],
            default_format: None,
            example: "@sink(type='mjpeg', port='8081', path='/stream', boundary='frame')",
        }
    }

    fn validate(&self, config: &ConnectorConfig, schema: &Schema) -> Result<(), ConfigError> {
        SinkSettings::from_config(config, schema).map(|_| ())
    }

    fn create(
        &self,
        config: &ConnectorConfig,
        schema: &Schema,
        _mapper: Option<Box<dyn SinkMapper>>,
    ) -> Result<Box<dyn Sink>, ConnectorError> {
        let settings = SinkSettings::from_config(config, schema)?;
        let hub = Arc::new(Hub::new(
            settings.boundary.clone(),
            settings.max_viewers,
            settings.queue_frames,
        ));
        let address = format!("{}:{}", settings.host, settings.port);
        let listener = runtime()
            .block_on(tokio::net::TcpListener::bind(&address))
            .map_err(|e| {
                ConnectorError::permanent(format!("mjpeg sink: cannot listen on {address}: {e}"))
            })?;
        let local = listener.local_addr().map_err(ConnectorError::from)?;
        let router = routes(&settings.path, hub.clone());
        let server = runtime().spawn(async move {
            if let Err(e) = axum::serve(
                listener,
                router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            {
                log::error!("mjpeg sink: the server stopped: {e}");
            }
        });
        log::info!(
            "mjpeg sink: serving http://{local}{} (snapshot {}, viewer page {})",
            settings.path,
            join(&settings.path, "snapshot.jpg"),
            join(&settings.path, "view")
        );
        Ok(Box::new(MjpegSink {
            frame_index: settings.frame_index,
            hub,
            server,
        }))
    }
}

/// `path` + `/` + `leaf`, without a doubled slash.
fn join(path: &str, leaf: &str) -> String {
    format!("{}/{leaf}", path.trim_end_matches('/'))
}

fn routes(path: &str, hub: Arc<Hub>) -> axum::Router {
    axum::Router::new()
        .route(path, get(stream))
        .route(&join(path, "snapshot.jpg"), get(snapshot))
        .route(&join(path, "view"), get(view))
        .with_state(ViewState {
            hub,
            stream_path: Arc::from(path),
        })
}

#[derive(Clone)]
struct ViewState {
    hub: Arc<Hub>,
    stream_path: Arc<str>,
}

async fn stream(
    State(state): State<ViewState>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
) -> Response {
    match state.hub.join(peer) {
        Some(viewer) => (
            [
                (
                    header::CONTENT_TYPE,
                    format!(
                        "multipart/x-mixed-replace; boundary={}",
                        state.hub.boundary()
                    ),
                ),
                (header::CACHE_CONTROL, "no-cache, no-store".to_string()),
            ],
            axum::body::Body::from_stream(ViewerStream::body(viewer)),
        )
            .into_response(),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "this stream already has {} viewers (max.viewers)\n",
                state.hub.max_viewers()
            ),
        )
            .into_response(),
    }
}

async fn snapshot(State(state): State<ViewState>) -> Response {
    match state.hub.latest() {
        Some(frame) => (
            [
                (header::CONTENT_TYPE, "image/jpeg"),
                (header::CACHE_CONTROL, "no-cache, no-store"),
            ],
            frame,
        )
            .into_response(),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            "no frame has been published yet\n",
        )
            .into_response(),
    }
}

async fn view(State(state): State<ViewState>) -> Html<String> {
    // The path was checked to hold only URL-safe characters, so it is safe in HTML.
    Html(format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>EventFlux {p}</title>\
         <style>body{{margin:0;background:#111;display:flex;align-items:center;\
         justify-content:center;height:100vh}}img{{max-width:100%;max-height:100%}}</style>\
         </head><body><img src=\"{p}\" alt=\"live stream {p}\"></body></html>\n",
        p = state.stream_path
    ))
}

/// The sink's settings, checked at compile time.
struct SinkSettings {
    host: String,
    port: u16,
    path: String,
    boundary: String,
    frame_index: usize,
    max_viewers: usize,
    queue_frames: usize,
}

impl SinkSettings {
    fn from_config(config: &ConnectorConfig, schema: &Schema) -> Result<SinkSettings, ConfigError> {
        let path = fields::served_path(PATH.get(config))?;
        let boundary = BOUNDARY.get(config).to_string();
        let token = |c: char| c.is_ascii_alphanumeric() || "-_.".contains(c);
        if boundary.is_empty() || boundary.len() > 70 || !boundary.chars().all(token) {
            return Err(ConfigError(format!(
                "parameter 'boundary': '{boundary}' must be 1 to 70 letters, digits, '-', '_' or '.'"
            )));
        }
        Ok(SinkSettings {
            host: HOST.get(config).to_string(),
            port: PORT.read(config)?,
            path,
            boundary,
            frame_index: bytes_attribute(
                "mjpeg",
                schema,
                FRAME_ATTRIBUTE.get(config),
                "frame.attribute",
            )?,
            max_viewers: MAX_VIEWERS.read(config)?.max(1),
            queue_frames: VIEWER_QUEUE_FRAMES.read(config)?.max(1),
        })
    }
}

struct MjpegSink {
    frame_index: usize,
    hub: Arc<Hub>,
    server: tokio::task::JoinHandle<()>,
}

impl Sink for MjpegSink {
    fn publish(&mut self, events: &[Event], rejects: &mut Rejects) -> Result<(), ConnectorError> {
        for (i, event) in events.iter().enumerate() {
            match event.data.get(self.frame_index) {
                Some(Value::Bytes(frame)) if jpeg::is_complete_jpeg(frame) => {
                    self.hub.publish(frame.clone())
                }
                Some(Value::Bytes(frame)) => rejects.reject(
                    i,
                    ConnectorError::permanent(format!(
                        "mjpeg sink: the payload ({} bytes) is not a JPEG (it must start with SOI and end with EOI); not sent",
                        frame.len()
                    )),
                ),
                _ => rejects.reject(
                    i,
                    ConnectorError::permanent("mjpeg sink: the frame is NULL; not sent"),
                ),
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), ConnectorError> {
        // Ending every viewer's stream lets its last frames go out; then the server stops.
        self.hub.close();
        std::thread::sleep(Duration::from_millis(50));
        self.server.abort();
        self.hub.log_totals();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::AttrType;

    fn config(params: &[(&str, &str)]) -> ConnectorConfig {
        ConnectorConfig {
            kind: "mjpeg".into(),
            stream: "Out".into(),
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            map: None,
            ..Default::default()
        }
    }

    #[test]
    fn the_frame_attribute_is_the_only_bytes_or_the_named_one() {
        let one = Schema::of("Out", &[("n", AttrType::Long), ("jpg", AttrType::Bytes)]);
        assert_eq!(
            bytes_attribute("mjpeg", &one, None, "frame.attribute").unwrap(),
            1
        );
        let two = Schema::of("Out", &[("a", AttrType::Bytes), ("b", AttrType::Bytes)]);
        let e = bytes_attribute("mjpeg", &two, None, "frame.attribute")
            .unwrap_err()
            .0;
        assert!(e.contains("several BYTES attributes (a, b)"), "{e}");
        assert_eq!(
            bytes_attribute("mjpeg", &two, Some("b"), "frame.attribute").unwrap(),
            1
        );
        let none = Schema::of("Out", &[("n", AttrType::Long)]);
        let e = bytes_attribute("mjpeg", &none, Some("n"), "frame.attribute")
            .unwrap_err()
            .0;
        assert!(e.contains("'n' is BIGINT, not BYTES"), "{e}");
    }

    #[test]
    fn paths_and_boundaries_are_checked() {
        let s = Schema::of("Out", &[("f", AttrType::Bytes)]);
        let e = SinkSettings::from_config(&config(&[("port", "1"), ("path", "x")]), &s)
            .err()
            .unwrap()
            .0;
        assert!(e.contains("must start with '/'"), "{e}");
        let e = SinkSettings::from_config(&config(&[("port", "1"), ("boundary", "a b")]), &s)
            .err()
            .unwrap()
            .0;
        assert!(e.contains("parameter 'boundary'"), "{e}");
        assert_eq!(join("/", "view"), "/view");
        assert_eq!(join("/cam", "view"), "/cam/view");
    }
}
