-- Siddhi: SnapshotOutputRateLimitTestCase.testSnapshotOutputRateLimitQuery17
@app:playback
-- time(5 sec), group by ip without aggregates: the window's events at each snapshot: 2, 2, 4, 4, 4, 2, 2
-- (20 events in 7 snapshots).
-- AppStart models siddhiAppRuntime.start() at 0: the test sleeps before its first event, and Siddhi's
-- snapshot periods run from the app's start (ticks at 1000, 2000, ...).
CREATE STREAM AppStart (t BIGINT);
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING, calls INT);
INSERT ALL EVENTS INTO uniqueIps SELECT ip FROM LoginEvents WINDOW('time', 5 SEC) GROUP BY ip OUTPUT SNAPSHOT EVERY 1 SEC;
