-- Siddhi: JoinTableTestCase.testTableJoinQuery4
@app:playback
-- Time window joined with a table, all events: the expiry joins again as expired.
-- Asserted: 1 current and 1 expired event, both (WSO2, IBM, 200).
-- Siddhi's FLOAT/LONG are DOUBLE/BIGINT here; back-to-back sends are 1 ms apart.
CREATE STREAM StockStream (symbol STRING, price DOUBLE, volume BIGINT);
CREATE STREAM CheckStockStream (symbol STRING);
CREATE TABLE StockTable (symbol STRING, price DOUBLE, volume BIGINT);
INSERT INTO StockTable SELECT * FROM StockStream;
INSERT ALL EVENTS INTO OutputStream
SELECT CheckStockStream.symbol AS checkSymbol, StockTable.symbol AS symbol, StockTable.volume AS volume
FROM CheckStockStream WINDOW('time', 1 SEC) JOIN StockTable ON CheckStockStream.symbol <> StockTable.symbol;
