-- Siddhi: PartitionTestCase1.testPartitionQuery28
@app:playback
-- Siddhi's stream filter cseEventStream[...] is a WHERE here (no window, same meaning).
-- Filter comparing DOUBLE with INT. Asserted: 3 events.
-- FLOAT as in Siddhi: sum(FLOAT) is a DOUBLE of the float values (Siddhi asserts 75.5999984741211).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT, threshold DOUBLE);
PARTITION WITH (symbol OF cseEventStream)
BEGIN
  INSERT INTO OutStockStream SELECT symbol, sum(price) AS price, volume, threshold
  FROM cseEventStream WHERE 700 > price AND threshold <> volume;
END;
