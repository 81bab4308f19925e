-- Siddhi: PartitionTestCase1.testPartitionQuery1
@app:playback
-- Siddhi's stream filter cseEventStream[...] is a WHERE here (no window, same meaning).
-- Partitioned stream fed by another query, filter then sum. Asserted: 75.5999984741211, 151.1999969482422, 75.5999984741211.
-- FLOAT as in Siddhi: sum(FLOAT) is a DOUBLE of the float values (Siddhi asserts 75.5999984741211).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
CREATE STREAM cseEventStreamOne (symbol STRING, price FLOAT, volume INT);
INSERT INTO cseEventStream SELECT symbol, price, volume FROM cseEventStreamOne;
PARTITION WITH (symbol OF cseEventStream)
BEGIN
  INSERT INTO OutStockStream SELECT symbol, sum(price) AS price, volume FROM cseEventStream WHERE 700 > price;
END;
