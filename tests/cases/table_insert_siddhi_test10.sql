-- Siddhi: InsertIntoTableTestCase.insertIntoTableTest10
@app:playback
-- A lengthBatch aggregate inserted into a table, then joined. Asserted: 1 event (3000.0).
-- Siddhi's FLOAT/LONG are DOUBLE/BIGINT here; back-to-back sends are 1 ms apart.
CREATE STREAM StockStream (symbol STRING, price DOUBLE, volume DOUBLE);
CREATE STREAM CheckStockStream (symbol STRING);
CREATE TABLE StockTable (symbol STRING, totalVolume DOUBLE);
INSERT INTO StockTable SELECT symbol, sum(volume) AS totalVolume FROM StockStream WINDOW('lengthBatch', 3) GROUP BY symbol;
INSERT INTO OutStream
SELECT StockTable.totalVolume AS totalVolume
FROM CheckStockStream JOIN StockTable ON CheckStockStream.symbol = StockTable.symbol;
