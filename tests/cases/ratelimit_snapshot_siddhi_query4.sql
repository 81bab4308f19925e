-- Siddhi: SnapshotOutputRateLimitTestCase.testSnapshotOutputRateLimitQuery4
@app:playback
-- No window, group by ip: the last event of every group seen so far, at each snapshot: 2 + 2 + 3 events.
-- AppStart models siddhiAppRuntime.start() at 0: the test sleeps before its first event, and Siddhi's
-- snapshot periods run from the app's start (ticks at 1000, 2000, ...).
CREATE STREAM AppStart (t BIGINT);
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING, calls INT);
INSERT ALL EVENTS INTO uniqueIps SELECT ip FROM LoginEvents GROUP BY ip OUTPUT SNAPSHOT EVERY 1 SEC;
