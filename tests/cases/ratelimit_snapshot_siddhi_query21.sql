-- Siddhi: SnapshotOutputRateLimitTestCase.testSnapshotOutputRateLimitQuery21
@app:playback
-- time(1 sec), ip with sum, group by ip: [3,6] at 2000, nothing at 3000, [2,10] at 4000.
-- AppStart models siddhiAppRuntime.start() at 0: the test sleeps before its first event, and Siddhi's
-- snapshot periods run from the app's start (ticks at 1000, 2000, ...).
CREATE STREAM AppStart (t BIGINT);
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING, calls INT);
INSERT ALL EVENTS INTO uniqueIps SELECT ip, sum(calls) AS totalCalls FROM LoginEvents WINDOW('time', 1 SEC) GROUP BY ip OUTPUT SNAPSHOT EVERY 1 SEC;
