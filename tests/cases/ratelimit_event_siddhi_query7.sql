-- Siddhi: EventOutputRateLimitTestCase.testEventOutputRateLimitQuery7
@app:playback
-- output last every 4 events: the 4th event.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT INTO uniqueIps SELECT ip FROM LoginEvents OUTPUT LAST EVERY 4 EVENTS;
