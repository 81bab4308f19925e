-- Siddhi: SnapshotOutputRateLimitTestCase.testSnapshotOutputRateLimitQuery10
@app:playback
-- time(2 sec), snapshot every 2 sec: at 2000 the window still holds both events (Siddhi flushes the snapshot
-- before applying an expiry stamped at the tick): 2 events.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING, calls INT);
INSERT ALL EVENTS INTO uniqueIps SELECT ip FROM LoginEvents WINDOW('time', 2 SEC) OUTPUT SNAPSHOT EVERY 2 SEC;
