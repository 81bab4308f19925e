-- Siddhi: TimeOutputRateLimitTestCase.testTimeOutputRateLimitQuery12
@app:playback
-- All events, last every 1 sec per group: the last row of each group in each period: 4 in, 3 removed.
-- Periods of 1 s from the first event (Siddhi starts the period when the app starts, just before it).
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT ALL EVENTS INTO uniqueIps SELECT ip, count() AS total FROM LoginEvents WINDOW('lengthBatch', 2) GROUP BY ip OUTPUT LAST EVERY 1 SEC;
