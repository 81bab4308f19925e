-- Siddhi: EventOutputRateLimitTestCase.testEventOutputRateLimitQuery6
@app:playback
-- output last every 2 events: the 2nd and 4th events.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT INTO uniqueIps SELECT ip FROM LoginEvents OUTPUT LAST EVERY 2 EVENTS;
