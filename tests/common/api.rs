//! A real HTTP client (reqwest) for the control-plane tests.

use serde_json::Value as Json;

/// A reqwest client on its own runtime, answering (status, body).
pub struct Api {
    pub base: String,
    pub client: reqwest::Client,
    pub rt: tokio::runtime::Runtime,
    pub token: Option<String>,
}

impl Api {
    pub fn new(port: u16) -> Api {
        Api {
            base: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::builder()
                .tls_backend_preconfigured(
                    (*eventflux::connector::net::tls_client_config()).clone(),
                )
                .build()
                .unwrap(),
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            token: None,
        }
    }

    pub fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<(&str, String)>,
    ) -> (u16, String) {
        let mut r = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            r = r.bearer_auth(t);
        }
        if let Some((content_type, b)) = body {
            r = r.header("content-type", content_type).body(b);
        }
        self.rt.block_on(async {
            let resp = r.send().await.unwrap();
            let status = resp.status().as_u16();
            (status, resp.text().await.unwrap())
        })
    }

    pub fn get(&self, path: &str) -> (u16, String) {
        self.send(reqwest::Method::GET, path, None)
    }

    pub fn json(&self, path: &str) -> Json {
        let (status, body) = self.get(path);
        assert_eq!(status, 200, "GET {path}: {body}");
        serde_json::from_str(&body).unwrap()
    }

    pub fn post(&self, path: &str, content_type: &str, body: &str) -> (u16, Json) {
        let (s, b) = self.send(
            reqwest::Method::POST,
            path,
            Some((content_type, body.to_string())),
        );
        (s, serde_json::from_str(&b).unwrap_or(Json::String(b)))
    }

    pub fn delete(&self, path: &str) -> (u16, Json) {
        let (s, b) = self.send(reqwest::Method::DELETE, path, None);
        (s, serde_json::from_str(&b).unwrap_or(Json::String(b)))
    }
}
