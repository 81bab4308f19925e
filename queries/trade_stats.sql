-- Per-symbol statistics every second, and a running alert on large moving averages.
-- Run: cargo run --release -- run queries/trade_stats.sql
@app:name('TradeStats')

@source(type='datagen', rate='200', count='1000',
        fields.symbol.kind='one_of', fields.symbol.values='IBM,WSO2,ORCL',
        fields.price.kind='random', fields.price.min='10', fields.price.max='200',
        fields.volume.kind='random', fields.volume.min='1', fields.volume.max='1000')
CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);

@sink(type='stdout')
CREATE STREAM PerSecond (symbol STRING, trades BIGINT, avg_price DOUBLE, max_price DOUBLE, volume BIGINT);

@sink(type='stdout')
CREATE STREAM HighAverage (symbol STRING, avg_price DOUBLE);

-- One row per symbol per second (a batch window), busiest first.
@info(name='per-second')
INSERT INTO PerSecond
SELECT symbol, count() AS trades, round(avg(price), 2) AS avg_price, max(price) AS max_price,
       sum(volume) AS volume
FROM Trades WINDOW TUMBLING(1 SECOND)
GROUP BY symbol
ORDER BY trades DESC;

-- A moving average over each symbol's last 5 trades (a sliding window), at most one alert per
-- symbol every 10 trades.
@info(name='high-average')
INSERT INTO HighAverage
SELECT symbol, avg(price) AS avg_price
FROM Trades WINDOW('length', 5)
GROUP BY symbol
HAVING avg_price > 150.0
OUTPUT FIRST EVERY 10 EVENTS;
