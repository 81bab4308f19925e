-- Siddhi: EventOutputRateLimitTestCase.testEventOutputRateLimitQuery1
@app:playback
-- output all every 2 events over 5 events: two full pairs (4 events); the fifth waits.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT INTO uniqueIps SELECT ip FROM LoginEvents OUTPUT ALL EVERY 2 EVENTS;
