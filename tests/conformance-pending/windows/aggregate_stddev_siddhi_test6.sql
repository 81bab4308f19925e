-- Siddhi: StdDevAttributeAggregatorExecutorTestCase.stdDevAggregatorTest6
@app:playback
-- length(3) grouped, all events: each arrival's chunk [expired, arrival] gives one row per group, the
-- arrival's: 5 rows (0, 489.95, 400.09052, 405.11802, 199.96026), no expired rows.
-- Values computed with Siddhi's algorithm (Welford, population); the test checks them to 1e-5.
CREATE STREAM cseEventStream (symbol STRING, price DOUBLE);
INSERT ALL EVENTS INTO outputStream SELECT stdDev(price) AS deviation FROM cseEventStream WINDOW('length', 3) GROUP BY symbol;
