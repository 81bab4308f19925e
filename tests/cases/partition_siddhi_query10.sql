-- Siddhi: PartitionTestCase1.testPartitionQuery10
@app:playback
-- avg() per key. Asserted: 75.0, 705.0, 55.0, 50.0.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
PARTITION WITH (symbol OF cseEventStream)
BEGIN
  INSERT INTO OutStockStream SELECT symbol, avg(price) AS avgPrice, volume FROM cseEventStream;
END;
