-- Siddhi: SnapshotOutputRateLimitTestCase.testSnapshotOutputRateLimitQuery20
@app:playback
-- time(5 sec), ip with sum, group by ip: one row per group: [3,6] x2, [5,16] x3, [2,10] x2 (14 events).
-- AppStart models siddhiAppRuntime.start() at 0: the test sleeps before its first event, and Siddhi's
-- snapshot periods run from the app's start (ticks at 1000, 2000, ...).
CREATE STREAM AppStart (t BIGINT);
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING, calls INT);
INSERT ALL EVENTS INTO uniqueIps SELECT ip, sum(calls) AS totalCalls FROM LoginEvents WINDOW('time', 5 SEC) GROUP BY ip OUTPUT SNAPSHOT EVERY 1 SEC;
