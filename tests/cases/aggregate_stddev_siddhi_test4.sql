-- Siddhi: StdDevAttributeAggregatorExecutorTestCase.stdDevAggregatorTest4
@app:playback
-- lengthBatch(6) grouped by symbol: one row per group, both about 0.40825.
-- Values computed with Siddhi's algorithm (Welford, population); the test checks them to 1e-5.
CREATE STREAM cseEventStream (symbol STRING, price DOUBLE);
INSERT INTO outputStream SELECT stdDev(price) AS deviation FROM cseEventStream WINDOW('lengthBatch', 6) GROUP BY symbol;
