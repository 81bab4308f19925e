-- Siddhi: UpdateOrInsertTableTestCase.updateOrInsertTableTest10
-- The left outer join of the stream with the table feeds the upsert through a stream (the
-- table side of a join never triggers, so this is no loop). Siddhi's check
-- `(symbol == T.symbol and volume == T.volume and price == T.price) in T` is a join on the
-- whole row here: with symbol the primary key it matches at most one row, as `in` does.
@app:playback
CREATE STREAM StockStream (symbol STRING, price FLOAT, volume BIGINT);
CREATE STREAM CheckStockStream (symbol STRING, volume BIGINT, price FLOAT);
CREATE STREAM UpdateStockStream (comp STRING, vol BIGINT);
CREATE TABLE StockTable (symbol STRING, price FLOAT, volume BIGINT, PRIMARY KEY (symbol));
INSERT INTO StockTable SELECT symbol, price, volume FROM StockStream;
INSERT INTO Updates
SELECT u.comp AS symbol, ifThenElse(t.price IS NULL, CAST(0 AS FLOAT), t.price) AS price, u.vol AS volume
FROM UpdateStockStream AS u LEFT OUTER JOIN StockTable AS t ON u.comp = t.symbol;
UPSERT INTO StockTable SELECT symbol, price, volume FROM Updates;
INSERT INTO OutStream
SELECT c.symbol, c.volume, c.price
FROM CheckStockStream AS c JOIN StockTable AS t
  ON c.symbol = t.symbol AND c.volume = t.volume AND c.price = t.price;
