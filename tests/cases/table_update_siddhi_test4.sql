-- Siddhi: UpdateFromTableTestCase.updateFromTableTest4
@app:playback
-- `select comp as symbol, vol as volume update StockTable on StockTable.symbol==symbol` sets
-- the selected attributes. Siddhi's `(symbol==StockTable.symbol and volume==StockTable.volume) in StockTable` check is a
-- stream-table join on both attributes here (at most one row matches in this test).
-- Asserted: (IBM, 100), (WSO2, 100), (WSO2, 100).
-- Siddhi's FLOAT/LONG are DOUBLE/BIGINT here; back-to-back sends are 1 ms apart.
CREATE STREAM StockStream (symbol STRING, price DOUBLE, volume BIGINT);
CREATE STREAM CheckStockStream (symbol STRING, volume BIGINT);
CREATE STREAM UpdateStockStream (comp STRING, vol BIGINT);
CREATE TABLE StockTable (symbol STRING, price DOUBLE, volume BIGINT);
INSERT INTO StockTable SELECT * FROM StockStream;
UPDATE StockTable SET symbol = u.comp, volume = u.vol FROM UpdateStockStream AS u WHERE StockTable.symbol = u.comp;
INSERT INTO OutStream
SELECT c.symbol AS symbol, c.volume AS volume
FROM CheckStockStream AS c JOIN StockTable AS t ON c.symbol = t.symbol AND c.volume = t.volume;
