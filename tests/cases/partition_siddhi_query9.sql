-- Siddhi: PartitionTestCase1.testPartitionQuery9
@app:playback
-- min() per key. Asserted: 75.0, 705.0, 35.0, 50.0.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
PARTITION WITH (symbol OF cseEventStream)
BEGIN
  INSERT INTO OutStockStream SELECT symbol, min(price) AS min_price, volume FROM cseEventStream;
END;
