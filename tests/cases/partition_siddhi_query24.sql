-- Siddhi: PartitionTestCase1.testPartitionQuery24
@app:playback
-- Siddhi sends the three events as one Event[] (same output either way). Asserted: 3 events.
CREATE STREAM streamA (symbol STRING, price INT);
PARTITION WITH (symbol OF streamA)
BEGIN
  INSERT INTO StockQuote SELECT symbol, price FROM streamA;
END;
