-- Siddhi: EventOutputRateLimitTestCase.testEventOutputRateLimitQuery3
@app:playback
-- Siddhi's 'output every 5 events' (all): the first 5 of 8 events. Written OUTPUT ALL here.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT INTO uniqueIps SELECT ip FROM LoginEvents OUTPUT ALL EVERY 5 EVENTS;
