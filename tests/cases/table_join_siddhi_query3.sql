-- Siddhi: JoinTableTestCase.testTableJoinQuery3
@app:playback
-- Non-equality ON with a table alias. Asserted: 1 event (WSO2, IBM, 10).
-- Siddhi's FLOAT/LONG are DOUBLE/BIGINT here; back-to-back sends are 1 ms apart.
CREATE STREAM StockStream (symbol STRING, price DOUBLE, volume BIGINT);
CREATE STREAM CheckStockStream (symbol STRING);
CREATE TABLE StockTable (symbol STRING, price DOUBLE, volume BIGINT);
INSERT INTO StockTable SELECT * FROM StockStream;
INSERT INTO OutputStream
SELECT CheckStockStream.symbol AS checkSymbol, t.symbol AS symbol, t.volume AS volume
FROM CheckStockStream WINDOW('length', 1) JOIN StockTable AS t ON CheckStockStream.symbol <> t.symbol;
