-- Siddhi: SnapshotOutputRateLimitTestCase.testSnapshotOutputRateLimitQuery13
@app:playback
CREATE STREAM LoginEvents (ts LONG, ip STRING, calls INT);
INSERT INTO uniqueIps SELECT ip FROM LoginEvents WINDOW('time', 5 SEC) OUTPUT SNAPSHOT EVERY 1 SEC;
