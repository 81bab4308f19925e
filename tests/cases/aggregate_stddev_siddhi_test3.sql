-- Siddhi: StdDevAttributeAggregatorExecutorTestCase.stdDevAggregatorTest3
@app:playback
-- lengthBatch(3) of equal prices: deviation 0.
-- Values computed with Siddhi's algorithm (Welford, population); the test checks them to 1e-5.
CREATE STREAM cseEventStream (symbol STRING, price DOUBLE);
INSERT INTO outputStream SELECT stdDev(price) AS deviation FROM cseEventStream WINDOW('lengthBatch', 3) GROUP BY symbol;
