-- Siddhi: EventOutputRateLimitTestCase.testEventOutputRateLimitQuery4
@app:playback
-- output first every 2 events: the 1st, 3rd and 5th events.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT INTO uniqueIps SELECT ip FROM LoginEvents OUTPUT FIRST EVERY 2 EVENTS;
