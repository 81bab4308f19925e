-- Siddhi: JoinTableTestCase.testTableJoinQuery9
@app:playback
-- GROUP BY over a windowless stream-table join. Siddhi sends the checks as two Event[] of
-- two; each check event joins the five rows as one chunk, the windowless side's RESET restarts
-- the sums, and a batch gives one row per group: asserted 4 events per send, 120.0, 4.0, 120.0, 4.0.
-- Siddhi's FLOAT/LONG are DOUBLE/BIGINT here; back-to-back sends are 1 ms apart.
CREATE STREAM StockStream (symbol1 STRING, price1 DOUBLE, volume1 BIGINT);
CREATE STREAM CheckStockStream (symbol1 STRING, price1 DOUBLE, volume1 BIGINT);
CREATE TABLE StockTable (symbol1 STRING, price1 DOUBLE, volume1 BIGINT);
INSERT INTO StockTable SELECT * FROM StockStream;
INSERT INTO OutputStream
SELECT b.symbol1 AS symbol1, sum(b.price1) AS total
FROM CheckStockStream AS a JOIN StockTable AS b
GROUP BY b.symbol1;
