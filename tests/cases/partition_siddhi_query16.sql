-- Siddhi: PartitionTestCase1.testPartitionQuery16
@app:playback
-- Two queries in one partition insert into the same stream. Asserted: 6 events.
CREATE STREAM streamA (symbol STRING, price INT);
PARTITION WITH (symbol OF streamA)
BEGIN
  INSERT INTO StockQuote SELECT symbol, price FROM streamA;
  INSERT INTO StockQuote SELECT symbol, price FROM streamA;
END;
