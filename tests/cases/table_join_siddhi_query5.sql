-- Siddhi: JoinTableTestCase.testTableJoinQuery5
@app:playback
-- Windowless stream joined with a table. Asserted: (WSO2, WSO2, 100), (WSO2, IBM, 10).
-- Siddhi's FLOAT/LONG are DOUBLE/BIGINT here; back-to-back sends are 1 ms apart.
CREATE STREAM StockStream (symbol STRING, price DOUBLE, volume BIGINT);
CREATE STREAM CheckStockStream (symbol STRING);
CREATE TABLE StockTable (symbol STRING, price DOUBLE, volume BIGINT);
INSERT INTO StockTable SELECT * FROM StockStream;
INSERT INTO OutputStream
SELECT CheckStockStream.symbol AS checkSymbol, StockTable.symbol AS symbol, StockTable.volume AS volume
FROM CheckStockStream JOIN StockTable;
