-- Siddhi: DeleteFromTableTestCase.deleteFromTableTest4
@app:playback
-- Delete on a table-only condition. Siddhi's `in` check is IN over a primary key here.
-- Asserted: (IBM), (WSO2), then (WSO2) after IBM's row is deleted.
-- Siddhi's FLOAT/LONG are DOUBLE/BIGINT here; back-to-back sends are 1 ms apart.
CREATE STREAM StockStream (symbol STRING, price DOUBLE, volume BIGINT);
CREATE STREAM CheckStockStream (symbol STRING);
CREATE STREAM DeleteStockStream (symbol STRING, price DOUBLE, volume BIGINT);
CREATE TABLE StockTable (symbol STRING, price DOUBLE, volume BIGINT, PRIMARY KEY (symbol));
INSERT INTO StockTable SELECT * FROM StockStream;
DELETE FROM StockTable USING DeleteStockStream WHERE StockTable.symbol = 'IBM';
INSERT INTO OutStream SELECT symbol FROM CheckStockStream WHERE symbol IN StockTable;
