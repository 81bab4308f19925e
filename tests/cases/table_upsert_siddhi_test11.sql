-- Siddhi: UpdateOrInsertTableTestCase.updateOrInsertTableTest11
@app:playback
-- Siddhi's `update or insert into StockTable on StockTable.symbol==symbol` is UPSERT here, which
-- needs a primary key on symbol (one row per symbol in this test).
-- Siddhi sends the four upserts as one Event[] (same result either way).
-- Asserted: (WSO2, 155, 200), (IBM, 155, 200).
-- Siddhi's FLOAT/LONG are DOUBLE/BIGINT here; back-to-back sends are 1 ms apart.
CREATE STREAM UpdateStockStream (symbol STRING, price INT, volume BIGINT);
CREATE STREAM SearchStream (symbol STRING);
CREATE TABLE StockTable (symbol STRING, price INT, volume BIGINT, PRIMARY KEY (symbol));
UPSERT INTO StockTable SELECT * FROM UpdateStockStream;
INSERT INTO OutStream
SELECT StockTable.symbol AS symbol, price, volume
FROM SearchStream WINDOW('length', 1) JOIN StockTable ON StockTable.symbol = SearchStream.symbol;
