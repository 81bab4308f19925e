-- Siddhi: SnapshotOutputRateLimitTestCase.testSnapshotOutputRateLimitQuery14
@app:playback
-- time(2 sec), snapshot every 2 sec: the snapshot at 2000 holds both events (the test waits for 2).
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING, calls INT);
INSERT ALL EVENTS INTO uniqueIps SELECT ip FROM LoginEvents WINDOW('time', 2 SEC) OUTPUT SNAPSHOT EVERY 2 SEC;
