-- Siddhi: InsertIntoTableTestCase.insertIntoTableTest6
@app:playback
-- As testQuery4 (`in` as IN over a primary key). Asserted: (IBM), (WSO2).
-- Siddhi's FLOAT/LONG are DOUBLE/BIGINT here; back-to-back sends are 1 ms apart.
CREATE STREAM StockStream (symbol STRING, price DOUBLE, volume BIGINT);
CREATE STREAM CheckStockStream (symbol STRING);
CREATE TABLE StockTable (symbol STRING, price DOUBLE, volume BIGINT, PRIMARY KEY (symbol));
INSERT INTO StockTable SELECT * FROM StockStream;
INSERT INTO OutStream SELECT symbol FROM CheckStockStream WHERE CheckStockStream.symbol IN StockTable;
