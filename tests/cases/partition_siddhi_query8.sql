-- Siddhi: PartitionTestCase1.testPartitionQuery8
@app:playback
-- max() per key. Asserted: 75.0, 705.0, 75.0, 50.0.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
PARTITION WITH (symbol OF cseEventStream)
BEGIN
  INSERT INTO OutStockStream SELECT symbol, max(price) AS max_price, volume FROM cseEventStream;
END;
