-- Siddhi: PartitionTestCase1.testPartitionQuery
@app:playback
-- Pass-through per key. Asserted: 3 events.
CREATE STREAM streamA (symbol STRING, price INT);
PARTITION WITH (symbol OF streamA)
BEGIN
  INSERT INTO StockQuote SELECT symbol, price FROM streamA;
END;
