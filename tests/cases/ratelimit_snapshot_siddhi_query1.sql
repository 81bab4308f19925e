-- Siddhi: SnapshotOutputRateLimitTestCase.testSnapshotOutputRateLimitQuery1
@app:playback
-- No window, no group by: each snapshot re-emits only the last event (Siddhi's PerSnapshotOutputRateLimiter).
-- The test asserts one output (.3) once the first snapshot has come.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT ALL EVENTS INTO uniqueIps SELECT ip FROM LoginEvents OUTPUT SNAPSHOT EVERY 1 SEC;
