-- Siddhi: JoinTableTestCase.testTableJoinQuery8
@app:playback
-- Composite primary key; ON with equality and >. Asserted: 1 event (WSO2).
-- Siddhi's FLOAT/LONG are DOUBLE/BIGINT here; back-to-back sends are 1 ms apart.
CREATE STREAM StockStream (symbol1 STRING, price1 STRING, volume1 BIGINT);
CREATE STREAM CheckStockStream (symbol1 STRING, price1 STRING, volume1 BIGINT);
CREATE TABLE StockTable (symbol1 STRING, price1 STRING, volume1 BIGINT, PRIMARY KEY (symbol1, volume1));
INSERT INTO StockTable SELECT * FROM StockStream;
INSERT INTO OutputStream
SELECT a.symbol1 AS symbol1
FROM CheckStockStream AS a JOIN StockTable AS b
  ON a.symbol1 = b.symbol1 AND a.price1 = b.price1 AND a.volume1 > b.volume1;
