-- Siddhi: JoinTableTestCase.testTableJoinQuery1
@app:playback
-- Join without ON: every row. Asserted: (WSO2, WSO2, 100), (WSO2, IBM, 10).
-- Siddhi's FLOAT/LONG are DOUBLE/BIGINT here; back-to-back sends are 1 ms apart.
CREATE STREAM StockStream (symbol2 STRING, price2 DOUBLE, volume2 BIGINT);
CREATE STREAM CheckStockStream (symbol1 STRING);
CREATE TABLE StockTable (symbol2 STRING, price2 DOUBLE, volume2 BIGINT);
INSERT INTO StockTable SELECT * FROM StockStream;
INSERT INTO OutputStream
SELECT symbol1, symbol2, volume2
FROM CheckStockStream WINDOW('length', 1) JOIN StockTable;
