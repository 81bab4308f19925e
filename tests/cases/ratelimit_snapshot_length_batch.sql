-- Siddhi: SnapshotOutputRateLimitTestCase.testSnapshotOutputRateLimitQuery22
@app:playback
CREATE STREAM LoginEvents (ts LONG, ip STRING, calls INT);
INSERT ALL EVENTS INTO uniqueIps SELECT ip, calls FROM LoginEvents WINDOW('lengthBatch', 3) OUTPUT SNAPSHOT EVERY 1 SEC;
