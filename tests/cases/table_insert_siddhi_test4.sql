-- Siddhi: InsertIntoTableTestCase.insertIntoTableTest4
@app:playback
-- Siddhi's `symbol == StockTable.symbol in StockTable` is `symbol IN StockTable` here, which
-- needs a primary key on symbol (one row per symbol in this test). Asserted: 1 event (WSO2).
-- Siddhi's FLOAT/LONG are DOUBLE/BIGINT here; back-to-back sends are 1 ms apart.
CREATE STREAM StockStream (symbol STRING, price DOUBLE, volume BIGINT);
CREATE STREAM CheckStockStream (symbol STRING);
CREATE TABLE StockTable (symbol STRING, price DOUBLE, volume BIGINT, PRIMARY KEY (symbol));
INSERT INTO StockTable SELECT * FROM StockStream;
INSERT INTO OutStream SELECT symbol FROM CheckStockStream WHERE symbol IN StockTable;
