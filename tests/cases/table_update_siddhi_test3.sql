-- Siddhi: UpdateFromTableTestCase.updateFromTableTest3
@app:playback
-- Siddhi's `update StockTable on ...` without SET replaces every attribute from the event.
-- Siddhi's `(symbol==StockTable.symbol and volume==StockTable.volume) in StockTable` check is a
-- stream-table join on both attributes here (at most one row matches in this test).
-- Asserted: (IBM, 100), (WSO2, 100), (WSO2, 100).
-- Siddhi's FLOAT/LONG are DOUBLE/BIGINT here; back-to-back sends are 1 ms apart.
CREATE STREAM StockStream (symbol STRING, price DOUBLE, volume BIGINT);
CREATE STREAM CheckStockStream (symbol STRING, volume BIGINT);
CREATE STREAM UpdateStockStream (symbol STRING, price DOUBLE, volume BIGINT);
CREATE TABLE StockTable (symbol STRING, price DOUBLE, volume BIGINT);
INSERT INTO StockTable SELECT * FROM StockStream;
UPDATE StockTable SET symbol = u.symbol, price = u.price, volume = u.volume FROM UpdateStockStream AS u WHERE StockTable.symbol = u.symbol;
INSERT INTO OutStream
SELECT c.symbol AS symbol, c.volume AS volume
FROM CheckStockStream AS c JOIN StockTable AS t ON c.symbol = t.symbol AND c.volume = t.volume;
