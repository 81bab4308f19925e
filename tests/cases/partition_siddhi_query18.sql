-- Siddhi: PartitionTestCase1.testPartitionQuery18
@app:playback
-- Range partition with a length window. Asserted: 25.0, 7005.60009765625, 75.0, 100.0.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
CREATE STREAM cseEventStreamOne (symbol STRING, price FLOAT, volume INT);
INSERT INTO cseEventStream SELECT symbol, price, volume FROM cseEventStreamOne;
PARTITION WITH (price >= 100 AS 'large' OR price < 100 AS 'small' OF cseEventStream)
BEGIN
  INSERT INTO OutStockStream SELECT symbol, sum(price) AS price FROM cseEventStream WINDOW('length', 4);
END;
