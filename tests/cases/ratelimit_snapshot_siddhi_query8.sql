-- Siddhi: SnapshotOutputRateLimitTestCase.testSnapshotOutputRateLimitQuery8
@app:playback
-- time(1 sec), only sum, no group by: the last current row at each snapshot, none once an event expired:
-- 9 at 2000, 12 at 4000.
-- AppStart models siddhiAppRuntime.start() at 0: the test sleeps before its first event, and Siddhi's
-- snapshot periods run from the app's start (ticks at 1000, 2000, ...).
CREATE STREAM AppStart (t BIGINT);
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING, calls INT);
INSERT ALL EVENTS INTO uniqueIps SELECT sum(calls) AS totalCalls FROM LoginEvents WINDOW('time', 1 SEC) OUTPUT SNAPSHOT EVERY 1 SEC;
