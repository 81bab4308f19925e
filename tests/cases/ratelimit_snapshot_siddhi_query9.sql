-- Siddhi: SnapshotOutputRateLimitTestCase.testSnapshotOutputRateLimitQuery9
@app:playback
-- time(5 sec), only sum: 9 at 2000 and 3000, 21 at 4000; the test stops once 3 snapshots have come.
-- AppStart models siddhiAppRuntime.start() at 0: the test sleeps before its first event, and Siddhi's
-- snapshot periods run from the app's start (ticks at 1000, 2000, ...).
CREATE STREAM AppStart (t BIGINT);
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING, calls INT);
INSERT ALL EVENTS INTO uniqueIps SELECT sum(calls) AS totalCalls FROM LoginEvents WINDOW('time', 5 SEC) OUTPUT SNAPSHOT EVERY 1 SEC;
