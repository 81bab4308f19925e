-- Reads JSON trades from a file, routes payloads that do not decode to a dead-letter stream,
-- and writes enriched trades and the failures to files.
-- Run: cargo run --release -- run queries/file_pipeline.sql
--      (TRADES_IN / TRADES_OUT / FAILED_OUT override the paths)
@app:name('FilePipeline')

@source(type='file', path='${TRADES_IN:queries/data/trades.jsonl}',
        error.strategy='dlq', error.dlq.stream='BadTrades',
        @map(type='json', @attributes(symbol='$.sym', price='$.px', volume='$.qty')))
CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);

-- Filled by the engine: the raw payload, the error text, and where it happened.
@sink(type='file', path='${FAILED_OUT:target/failed.jsonl}')
CREATE STREAM BadTrades (payload STRING, error STRING, connector STRING, stream STRING, ts BIGINT);

@sink(type='file', path='${TRADES_OUT:target/trades-out.csv}', @map(type='csv', header='true'))
@sink(type='stdout')
CREATE STREAM Enriched (symbol STRING, price DOUBLE, volume INT, notional DOUBLE, venue STRING);

INSERT INTO Enriched
SELECT upper(symbol) AS symbol, price, volume, price * volume AS notional,
       CASE WHEN symbol IN ('ibm', 'IBM') THEN 'NYSE' ELSE 'OTHER' END AS venue
FROM Trades
WHERE price IS NOT NULL AND volume BETWEEN 1 AND 10000;
