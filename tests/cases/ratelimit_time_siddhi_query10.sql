-- Siddhi: TimeOutputRateLimitTestCase.testTimeOutputRateLimitQuery10
@app:playback
-- Expired events only, first every 1 sec per group: each expiring batch gives one row per group (count 0);
-- no group repeats within 1 s: 4 events.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT EXPIRED EVENTS INTO uniqueIps SELECT ip, count() AS total FROM LoginEvents WINDOW('lengthBatch', 2) GROUP BY ip OUTPUT FIRST EVERY 1 SEC;
