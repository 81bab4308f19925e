-- Siddhi: EventOutputRateLimitTestCase.testEventOutputRateLimitQuery14
@app:playback
-- Expired events only: a batch expiring gives one row (its last event, count 0 once removed); batches 1
-- and 2 expire, last every 2 rows emits the second. 1 event.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT EXPIRED EVENTS INTO uniqueIps SELECT ip, count() AS total FROM LoginEvents WINDOW('lengthBatch', 4) OUTPUT LAST EVERY 2 EVENTS;
