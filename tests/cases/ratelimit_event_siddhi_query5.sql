-- Siddhi: EventOutputRateLimitTestCase.testEventOutputRateLimitQuery5
@app:playback
-- output first every 3 events: the 1st and 4th events.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT INTO uniqueIps SELECT ip FROM LoginEvents OUTPUT FIRST EVERY 3 EVENTS;
