-- Siddhi: SnapshotOutputRateLimitTestCase.testSnapshotOutputRateLimitQuery6
@app:playback
-- time(1 sec), only aggregates, group by ip: [3, 6] at 2000; the events expire at 2100, so 3000 is empty;
-- [2, 10] at 4000 (4 events).
-- AppStart models siddhiAppRuntime.start() at 0: the test sleeps before its first event, and Siddhi's
-- snapshot periods run from the app's start (ticks at 1000, 2000, ...).
CREATE STREAM AppStart (t BIGINT);
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING, calls INT);
INSERT ALL EVENTS INTO uniqueIps SELECT sum(calls) AS totalCalls FROM LoginEvents WINDOW('time', 1 SEC) GROUP BY ip OUTPUT SNAPSHOT EVERY 1 SEC;
