-- Siddhi: UpdateFromTableTestCase.updateFromTableTest5
@app:playback
-- Update leaves the unselected price as it was. Siddhi's `(symbol==StockTable.symbol and volume==StockTable.volume) in StockTable` check is a
-- stream-table join on both attributes here (at most one row matches in this test).
-- Asserted: (IBM, 100, 155.6), (IBM, 200, 155.6).
-- Siddhi's FLOAT/LONG are DOUBLE/BIGINT here; back-to-back sends are 1 ms apart.
CREATE STREAM StockStream (symbol STRING, price DOUBLE, volume BIGINT);
CREATE STREAM CheckStockStream (symbol STRING, volume BIGINT, price DOUBLE);
CREATE STREAM UpdateStockStream (comp STRING, vol BIGINT);
CREATE TABLE StockTable (symbol STRING, price DOUBLE, volume BIGINT);
INSERT INTO StockTable SELECT * FROM StockStream;
UPDATE StockTable SET symbol = u.comp, volume = u.vol FROM UpdateStockStream AS u WHERE StockTable.symbol = u.comp;
INSERT INTO OutStream
SELECT c.symbol AS symbol, c.volume AS volume, c.price AS price
FROM CheckStockStream AS c JOIN StockTable AS t ON c.symbol = t.symbol AND c.volume = t.volume AND c.price = t.price;
