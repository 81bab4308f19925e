-- Siddhi: PartitionTestCase1.testPartitionQuery21
@app:playback
-- Overlapping ranges through two inner streams. Asserted: 5 events: 25.0, 25.0, 7005.60009765625, then 50.0 and 50.0.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
CREATE STREAM cseEventStreamOne (symbol STRING, price FLOAT, volume INT);
INSERT INTO cseEventStream SELECT symbol, price, volume FROM cseEventStreamOne;
PARTITION WITH (price >= 100 AS 'large' OR price < 100 AS 'medium' OR price < 50 AS 'small' OF cseEventStream)
BEGIN
  INSERT INTO #OutStockStream1 SELECT symbol, sum(price) AS price FROM cseEventStream;
  INSERT INTO #OutStockStream2 SELECT * FROM #OutStockStream1;
  INSERT INTO OutStockStream SELECT * FROM #OutStockStream2;
END;
