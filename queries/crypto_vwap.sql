-- A crypto trade feed over WebSocket, VWAP per symbol over one-second tumbling windows, pushed
-- to dashboards that connect to ws://HOST:9002/vwap.
-- Run: FEED_URL=wss://your.exchange/ws cargo run --release -- run queries/crypto_vwap.sql
-- (without FEED_URL it connects to ws://127.0.0.1:9001/trades and retries until a feed is there).
@app:name('CryptoVwap')

-- The subscribe message is sent again after every reconnect; a silent feed is reconnected.
@source(type='websocket', websocket.url='${FEED_URL:ws://127.0.0.1:9001/trades}',
        websocket.subscribe.message='{"op":"subscribe","channel":"trades"}',
        websocket.reconnect.delay.ms='500', websocket.idle.timeout.ms='30000',
        @map(type='json'))
CREATE STREAM Trades (symbol STRING, price DOUBLE, qty DOUBLE);

-- Dashboards connect here; a dashboard that falls behind is cut off, never the app.
@sink(type='websocket-server', port='${DASHBOARD_PORT:9002}', path='/vwap', @map(type='json'))
CREATE STREAM Vwap (symbol STRING, vwap DOUBLE, volume DOUBLE, trades BIGINT);

@info(name='vwap-1s')
INSERT INTO Vwap
SELECT symbol, round(sum(price * qty) / sum(qty), 4) AS vwap, sum(qty) AS volume,
       count() AS trades
FROM Trades WINDOW TUMBLING(1 SECOND)
GROUP BY symbol;
