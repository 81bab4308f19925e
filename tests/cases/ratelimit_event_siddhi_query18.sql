-- Siddhi: EventOutputRateLimitTestCase.testEventOutputRateLimitQuery18
@app:playback
-- first every 2 events: events 1, 3, 5, 7, 9, 11 (all .5 or .4, as asserted). 6 events.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT INTO uniqueIps SELECT ip FROM LoginEvents OUTPUT FIRST EVERY 2 EVENTS;
