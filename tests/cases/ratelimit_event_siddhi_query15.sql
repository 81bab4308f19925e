-- Siddhi: EventOutputRateLimitTestCase.testEventOutputRateLimitQuery15
@app:playback
-- Expired events only, all every 2 rows: the rows of the two expiring batches (each its last event,
-- count 0). 2 events.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT EXPIRED EVENTS INTO uniqueIps SELECT ip, count() AS total FROM LoginEvents WINDOW('lengthBatch', 4) OUTPUT ALL EVERY 2 EVENTS;
