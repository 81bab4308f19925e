-- Siddhi: DeleteFromTableTestCase.deleteFromTableTest5
@app:playback
-- A filtered delete stream. Siddhi joins CountStockStream#window.length(0); EventFlux refuses
-- length 0, and a windowless side is the same for a stream-table join. Asserted: 2 events.
-- Siddhi's FLOAT/LONG are DOUBLE/BIGINT here; back-to-back sends are 1 ms apart.
CREATE STREAM StockStream (symbol STRING, price DOUBLE, vol BIGINT);
CREATE STREAM DeleteStockStream (symbol STRING, price DOUBLE, vol BIGINT);
CREATE STREAM CountStockStream (symbol STRING);
CREATE TABLE StockTable (symbol STRING, price DOUBLE, volume BIGINT);
INSERT INTO StockTable SELECT symbol, price, vol AS volume FROM StockStream;
DELETE FROM StockTable USING DeleteStockStream AS d WHERE d.vol >= 100 AND StockTable.symbol = d.symbol;
INSERT INTO CountResultsStream
SELECT CountStockStream.symbol AS symbol
FROM CountStockStream JOIN StockTable ON CountStockStream.symbol = StockTable.symbol;
