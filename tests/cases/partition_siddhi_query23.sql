-- Siddhi: PartitionTestCase1.testPartitionQuery23
@app:playback
-- The expiry empties the window: avg is NULL. Asserted: 1 event with avgPrice null.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
PARTITION WITH (symbol OF cseEventStream)
BEGIN
  INSERT EXPIRED EVENTS INTO OutStockStream
  SELECT symbol, avg(price) AS avgPrice, volume FROM cseEventStream WINDOW('time', 1 SEC)
  HAVING avgPrice >= 0 OR avgPrice IS NULL;
END;
