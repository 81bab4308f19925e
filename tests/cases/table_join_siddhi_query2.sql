-- Siddhi: JoinTableTestCase.testTableJoinQuery2
@app:playback
-- Asserted: 1 event (WSO2, WSO2, 100).
-- Siddhi's FLOAT/LONG are DOUBLE/BIGINT here; back-to-back sends are 1 ms apart.
CREATE STREAM StockStream (symbol STRING, price DOUBLE, volume BIGINT);
CREATE STREAM CheckStockStream (symbol STRING);
CREATE TABLE StockTable (symbol STRING, price DOUBLE, volume BIGINT);
INSERT INTO StockTable SELECT * FROM StockStream;
INSERT INTO OutputStream
SELECT CheckStockStream.symbol AS checkSymbol, StockTable.symbol AS symbol, StockTable.volume AS volume
FROM CheckStockStream WINDOW('length', 1) JOIN StockTable ON CheckStockStream.symbol = StockTable.symbol;
