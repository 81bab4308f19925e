-- Siddhi: EventOutputRateLimitTestCase.testEventOutputRateLimitQuery13
@app:playback
-- lengthBatch(4) with count(): one row per batch; last every 2 rows: the second batch's row. 1 event.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT INTO uniqueIps SELECT ip, count() AS total FROM LoginEvents WINDOW('lengthBatch', 4) OUTPUT LAST EVERY 2 EVENTS;
