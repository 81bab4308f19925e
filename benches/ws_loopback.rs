//! WebSocket source -> filter -> WebSocket sink over loopback, JSON events.
//! `cargo bench --bench ws_loopback` prints throughput (a flood) and latency (paced).
//!
//! A feeder server sends trades stamped with their send time; the app keeps half of them; a
//! collector server takes what the app sends and measures each event's age on arrival.

use eventflux::Engine;
use futures_util::{SinkExt, StreamExt};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

/// Sends `count` trades to the first client, `rate` per second (0 = as fast as possible).
async fn feeder(listener: TcpListener, count: u64, rate: u64) {
    let (socket, _) = listener.accept().await.unwrap();
    socket.set_nodelay(true).unwrap();
    let mut ws = tokio_tungstenite::accept_async(socket).await.unwrap();
    let _subscribe = ws.next().await;
    let start = Instant::now();
    for i in 0..count {
        let text = format!(
            r#"{{"id":{i},"symbol":"{}","price":{}.5,"sent":{}}}"#,
            ["IBM", "WSO2"][(i % 2) as usize],
            i % 200,
            now_ns()
        );
        ws.feed(Message::text(text)).await.unwrap();
        if let Some(offset) = (i * 1_000_000_000).checked_div(rate) {
            ws.flush().await.unwrap();
            tokio::time::sleep_until((start + Duration::from_nanos(offset)).into()).await;
        } else if i % 256 == 0 {
            ws.flush().await.unwrap();
        }
    }
    ws.flush().await.unwrap();
    let _ = ws.next().await; // keep open until the app disconnects
}

/// Receives `expect` events; returns (seconds from first to last, latencies in µs).
async fn collector(listener: TcpListener, expect: usize) -> (f64, Vec<u64>) {
    let (socket, _) = listener.accept().await.unwrap();
    socket.set_nodelay(true).unwrap();
    let mut ws = tokio_tungstenite::accept_async(socket).await.unwrap();
    let mut latencies = Vec::with_capacity(expect);
    let mut first = None;
    while latencies.len() < expect {
        let Some(Ok(Message::Text(t))) = ws.next().await else {
            continue;
        };
        first.get_or_insert_with(Instant::now);
        let v: serde_json::Value = serde_json::from_str(&t).unwrap();
        let sent = v["sent"].as_u64().unwrap();
        latencies.push(now_ns().saturating_sub(sent) / 1000);
    }
    (first.unwrap().elapsed().as_secs_f64(), latencies)
}

fn run(count: u64, rate: u64) -> (f64, Vec<u64>) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let (feed, sink) = rt.block_on(async {
        (
            TcpListener::bind("127.0.0.1:0").await.unwrap(),
            TcpListener::bind("127.0.0.1:0").await.unwrap(),
        )
    });
    let (feed_port, sink_port) = (
        feed.local_addr().unwrap().port(),
        sink.local_addr().unwrap().port(),
    );
    let app = Engine::new()
        .compile(&format!(
            "@source(type='websocket', websocket.url='ws://127.0.0.1:{feed_port}/', \
                     websocket.subscribe.message='go')
             CREATE STREAM Trades (id BIGINT, symbol STRING, price DOUBLE, sent BIGINT);
             @sink(type='websocket', websocket.url='ws://127.0.0.1:{sink_port}/')
             CREATE STREAM Kept (id BIGINT, symbol STRING, price DOUBLE, sent BIGINT);
             INSERT INTO Kept SELECT * FROM Trades WHERE symbol = 'IBM';"
        ))
        .unwrap();
    let collected = rt.spawn(collector(sink, (count / 2) as usize));
    rt.spawn(feeder(feed, count, rate));
    app.start().unwrap();
    let result = rt.block_on(collected).unwrap();
    app.shutdown().unwrap();
    result
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

fn main() {
    let flood = 400_000;
    let (secs, _) = run(flood, 0);
    println!(
        "flood: {flood} events in, {} out, {:.2} s: {:.0} events/s through the app",
        flood / 2,
        secs,
        flood as f64 / secs
    );
    for rate in [10_000u64, 50_000] {
        let count = rate * 3;
        let (_, mut lat) = run(count, rate);
        lat.sort_unstable();
        println!(
            "paced {rate} events/s: latency feed -> app -> collector p50 {} us, p99 {} us, max {} us",
            percentile(&lat, 0.50),
            percentile(&lat, 0.99),
            lat[lat.len() - 1]
        );
    }
}
