-- Siddhi: PartitionTestCase1.testPartitionQuery25
@app:playback
-- A lengthBatch(3) feeds the partition one chunk of three. Asserted: 3 events.
CREATE STREAM streamA (symbol STRING, price INT);
CREATE STREAM streamB (symbol STRING, price INT);
INSERT INTO streamB SELECT * FROM streamA WINDOW('lengthBatch', 3);
PARTITION WITH (symbol OF streamB)
BEGIN
  INSERT INTO StockQuote SELECT symbol, price FROM streamB;
END;
