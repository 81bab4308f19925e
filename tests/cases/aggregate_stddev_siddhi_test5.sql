-- Siddhi: StdDevAttributeAggregatorExecutorTestCase.stdDevAggregatorTest5
@app:playback
-- lengthBatch(6) grouped by symbol: about 400.13025 and 0.00103.
-- Values computed with Siddhi's algorithm (Welford, population); the test checks them to 1e-5.
CREATE STREAM cseEventStream (symbol STRING, price DOUBLE);
INSERT INTO outputStream SELECT stdDev(price) AS deviation FROM cseEventStream WINDOW('lengthBatch', 6) GROUP BY symbol;
