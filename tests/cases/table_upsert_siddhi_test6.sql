-- Siddhi: UpdateOrInsertTableTestCase.updateOrInsertTableTest6
@app:playback
-- Siddhi's `update or insert into StockTable on StockTable.symbol==symbol` is UPSERT here, which
-- needs a primary key on symbol (one row per symbol in this test).
-- Siddhi's `(symbol==StockTable.symbol and volume==StockTable.volume) in StockTable` check is a
-- stream-table join on both attributes here (at most one row matches in this test).
-- Asserted: (IBM, 100), (WSO2, 100), (WSO2, 100).
-- Siddhi's FLOAT/LONG are DOUBLE/BIGINT here; back-to-back sends are 1 ms apart.
CREATE STREAM StockStream (symbol STRING, price DOUBLE, volume BIGINT);
CREATE STREAM CheckStockStream (symbol STRING, volume BIGINT);
CREATE STREAM UpdateStockStream (comp STRING, vol BIGINT);
CREATE TABLE StockTable (symbol STRING, price DOUBLE, volume BIGINT, PRIMARY KEY (symbol));
UPSERT INTO StockTable SELECT * FROM StockStream;
UPSERT INTO StockTable SELECT comp AS symbol, 0.0 AS price, vol AS volume FROM UpdateStockStream;
INSERT INTO OutStream
SELECT c.symbol AS symbol, c.volume AS volume
FROM CheckStockStream AS c JOIN StockTable AS t ON c.symbol = t.symbol AND c.volume = t.volume;
