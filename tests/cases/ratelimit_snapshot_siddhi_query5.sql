-- Siddhi: SnapshotOutputRateLimitTestCase.testSnapshotOutputRateLimitQuery5
@app:playback
-- No window, group by ip, sum: each group's latest row at each snapshot; the third has 5 and 16.
-- AppStart models siddhiAppRuntime.start() at 0: the test sleeps before its first event, and Siddhi's
-- snapshot periods run from the app's start (ticks at 1000, 2000, ...).
CREATE STREAM AppStart (t BIGINT);
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING, calls INT);
INSERT ALL EVENTS INTO uniqueIps SELECT ip, sum(calls) AS totalCalls FROM LoginEvents GROUP BY ip OUTPUT SNAPSHOT EVERY 1 SEC;
