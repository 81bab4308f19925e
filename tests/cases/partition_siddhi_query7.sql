-- Siddhi: PartitionTestCase1.testPartitionQuery7
@app:playback
-- sum() per key. Asserted: 75.0, 705.0, 110.0, 50.0.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
PARTITION WITH (symbol OF cseEventStream)
BEGIN
  INSERT INTO OutStockStream SELECT symbol, sum(price) AS price, volume FROM cseEventStream;
END;
