-- Siddhi: SnapshotOutputRateLimitTestCase.testSnapshotOutputRateLimitQuery16
@app:playback
-- time(1 sec), group by ip without aggregates (same as without GROUP BY): [.5,.3] at 2000 and 4000.
-- AppStart models siddhiAppRuntime.start() at 0: the test sleeps before its first event, and Siddhi's
-- snapshot periods run from the app's start (ticks at 1000, 2000, ...).
CREATE STREAM AppStart (t BIGINT);
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING, calls INT);
INSERT ALL EVENTS INTO uniqueIps SELECT ip FROM LoginEvents WINDOW('time', 1 SEC) GROUP BY ip OUTPUT SNAPSHOT EVERY 1 SEC;
