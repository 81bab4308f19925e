-- Siddhi: TimeOutputRateLimitTestCase.testTimeOutputRateLimitQuery13
@app:playback
-- All events, all every 1 sec: every group row of every batch chunk (one per group per chunk): 6 in, 3 removed.
-- Periods of 1 s from the first event (Siddhi starts the period when the app starts, just before it).
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT ALL EVENTS INTO uniqueIps SELECT ip, count() AS total FROM LoginEvents WINDOW('lengthBatch', 2) GROUP BY ip OUTPUT ALL EVERY 1 SEC;
