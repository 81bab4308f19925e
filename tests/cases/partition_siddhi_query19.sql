-- Siddhi: PartitionTestCase1.testPartitionQuery19
@app:playback
-- Overlapping ranges: an event goes to every range it meets. Asserted: 25.0, 25.0, 7005.60009765625, 75.0, then 100.0 and 50.0.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
CREATE STREAM cseEventStreamOne (symbol STRING, price FLOAT, volume INT);
INSERT INTO cseEventStream SELECT symbol, price, volume FROM cseEventStreamOne;
PARTITION WITH (price >= 100 AS 'large' OR price < 100 AS 'medium' OR price < 50 AS 'small' OF cseEventStream)
BEGIN
  INSERT INTO OutStockStream SELECT symbol, sum(price) AS price FROM cseEventStream;
END;
