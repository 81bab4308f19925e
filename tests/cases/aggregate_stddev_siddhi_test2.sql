-- Siddhi: StdDevAttributeAggregatorExecutorTestCase.stdDevAggregatorTest2
@app:playback
-- lengthBatch(1): one event, deviation 0.
-- Values computed with Siddhi's algorithm (Welford, population); the test checks them to 1e-5.
CREATE STREAM cseEventStream (symbol STRING, price DOUBLE);
INSERT INTO outputStream SELECT stdDev(price) AS deviation FROM cseEventStream WINDOW('lengthBatch', 1) GROUP BY symbol;
