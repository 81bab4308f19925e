-- Siddhi: TimeOutputRateLimitTestCase.testTimeOutputRateLimitQuery15
@app:playback
-- first every 1 sec with count(), 5 events within 4 ms (the test asserts right after sending): 1 row.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT ALL EVENTS INTO uniqueIps SELECT ip, count() AS total FROM LoginEvents OUTPUT FIRST EVERY 1 SEC;
