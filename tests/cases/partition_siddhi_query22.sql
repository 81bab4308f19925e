-- Siddhi: PartitionTestCase1.testPartitionQuery22
@app:playback
-- Expired events of a time window with HAVING: the first expiry leaves avg 75, the second an empty window (NULL, filtered). Asserted: first event 75.0.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
PARTITION WITH (symbol OF cseEventStream)
BEGIN
  INSERT EXPIRED EVENTS INTO OutStockStream
  SELECT symbol, avg(price) AS avgPrice, volume FROM cseEventStream WINDOW('time', 1 SEC)
  HAVING avgPrice > 10;
END;
