-- Siddhi: TimeOutputRateLimitTestCase.testTimeOutputRateLimitQuery1
@app:playback
-- Siddhi's 'output every 1 sec' (all): every event is emitted at the end of its period: 6 events.
-- Periods of 1 s from the first event (Siddhi starts the period when the app starts, just before it).
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT INTO uniqueIps SELECT ip FROM LoginEvents OUTPUT ALL EVERY 1 SEC;
