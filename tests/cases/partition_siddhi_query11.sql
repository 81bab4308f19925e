-- Siddhi: PartitionTestCase1.testPartitionQuery11
@app:playback
-- count() per key. Asserted: 1, 1, 2, 1.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
PARTITION WITH (symbol OF cseEventStream)
BEGIN
  INSERT INTO OutStockStream SELECT count() AS entries FROM cseEventStream;
END;
