-- Siddhi: EventOutputRateLimitTestCase.testEventOutputRateLimitQuery2
@app:playback
-- Siddhi's 'output every 2 events' (no ALL/FIRST/LAST) means all: 4 of 5 events.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT INTO uniqueIps SELECT ip FROM LoginEvents OUTPUT EVERY 2 EVENTS;
