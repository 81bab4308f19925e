-- Watched trades: an app fed and watched through the control plane (REST API, dashboard,
-- Prometheus metrics) instead of through connectors.
-- Run:   eventflux run queries/watched_trades.sql --http 127.0.0.1:9090
-- Feed:  curl -s -H 'Content-Type: application/json' \
--          --data '[{"symbol":"IBM","price":151.5,"volume":200}]' \
--          http://127.0.0.1:9090/api/v1/apps/Trades/streams/Trades/events
-- Watch: http://127.0.0.1:9090/ (the dashboard), or a live tail:
--        curl -sN http://127.0.0.1:9090/api/v1/apps/Trades/streams/Stats/tail
@app:name('Trades')
CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);

@sink(type='stdout')
CREATE STREAM Stats (symbol STRING, avg_price DOUBLE, trades BIGINT);

-- Per symbol, over the last three trades of any symbol.
@info(name='per-symbol')
INSERT INTO Stats
SELECT symbol, round(avg(price), 2) AS avg_price, count() AS trades
FROM Trades WINDOW('length', 3)
GROUP BY symbol;
