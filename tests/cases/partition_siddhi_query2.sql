-- Siddhi: PartitionTestCase1.testPartitionQuery2
@app:playback
-- Siddhi's stream filter cseEventStream[...] is a WHERE here (no window, same meaning).
-- Partition over two streams, only one queried. Asserted: 4 events (sums per symbol).
-- FLOAT as in Siddhi: sum(FLOAT) is a DOUBLE of the float values (Siddhi asserts 75.5999984741211).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
CREATE STREAM StockStream1 (symbol STRING, price FLOAT, volume INT);
PARTITION WITH (symbol OF cseEventStream, symbol OF StockStream1)
BEGIN
  INSERT INTO OutStockStream SELECT symbol, sum(price) AS price, volume FROM cseEventStream WHERE 700 > price;
END;
