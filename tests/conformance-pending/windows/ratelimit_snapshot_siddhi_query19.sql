-- Siddhi: SnapshotOutputRateLimitTestCase.testSnapshotOutputRateLimitQuery19
@app:playback
-- time(5 sec), ip with sum: 7 snapshots: [9,9] x2, [21 x4] x3, [12,12] x2.
-- AppStart models siddhiAppRuntime.start() at 0: the test sleeps before its first event, and Siddhi's
-- snapshot periods run from the app's start (ticks at 1000, 2000, ...).
CREATE STREAM AppStart (t BIGINT);
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING, calls INT);
INSERT ALL EVENTS INTO uniqueIps SELECT ip, sum(calls) AS totalCalls FROM LoginEvents WINDOW('time', 5 SEC) OUTPUT SNAPSHOT EVERY 1 SEC;
