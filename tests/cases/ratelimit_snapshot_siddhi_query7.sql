-- Siddhi: SnapshotOutputRateLimitTestCase.testSnapshotOutputRateLimitQuery7
@app:playback
-- time(5 sec), only aggregates, group by ip: 7 snapshots of 2 rows: [3,6] x2, [5,16] x3, then (the first pair
-- expired at 6100) [2,10] x2; the rest expire at 8400.
-- AppStart models siddhiAppRuntime.start() at 0: the test sleeps before its first event, and Siddhi's
-- snapshot periods run from the app's start (ticks at 1000, 2000, ...).
CREATE STREAM AppStart (t BIGINT);
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING, calls INT);
INSERT ALL EVENTS INTO uniqueIps SELECT sum(calls) AS totalCalls FROM LoginEvents WINDOW('time', 5 SEC) GROUP BY ip OUTPUT SNAPSHOT EVERY 1 SEC;
