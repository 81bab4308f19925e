-- Siddhi: OrAggregatorExtensionTestCase.orAggregatorTest3
@app:playback
-- or() without a window: true, then still true after a false.
CREATE STREAM cseEventStream (name STRING, isFraud BOOL);
INSERT INTO outputStream SELECT or(isFraud) AS isFraudTransaction FROM cseEventStream;
