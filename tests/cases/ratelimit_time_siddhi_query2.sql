-- Siddhi: TimeOutputRateLimitTestCase.testTimeOutputRateLimitQuery2
@app:playback
-- output all every 1 sec: 6 events.
-- Periods of 1 s from the first event (Siddhi starts the period when the app starts, just before it).
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT INTO uniqueIps SELECT ip FROM LoginEvents OUTPUT ALL EVERY 1 SEC;
