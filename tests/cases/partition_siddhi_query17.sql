-- Siddhi: PartitionTestCase1.testPartitionQuery17
@app:playback
-- Range partition (query-API test in Siddhi). Asserted: 100, 600, 200, 250.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
PARTITION WITH (200 > volume AS 'LessValue' OR 200 <= volume AS 'HighValue' OF cseEventStream)
BEGIN
  INSERT INTO StockStream SELECT sum(volume) AS sumvolume FROM cseEventStream;
END;
