-- Siddhi: PartitionTestCase1.testPartitionQuery6
@app:playback
-- Inner streams per key over two partitioned streams. Asserted: 8 events.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
CREATE STREAM cseEventStream1 (symbol STRING, price FLOAT, volume INT);
PARTITION WITH (symbol OF cseEventStream, symbol OF cseEventStream1)
BEGIN
  INSERT INTO #StockStream SELECT symbol, price, volume FROM cseEventStream;
  INSERT INTO OutStockStream SELECT symbol, price, volume FROM #StockStream;
  INSERT INTO #StockStream1 SELECT symbol, price, volume FROM cseEventStream1;
  INSERT INTO OutStockStream SELECT symbol, price, volume FROM #StockStream1;
END;
