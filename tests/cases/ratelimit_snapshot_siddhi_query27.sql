-- Siddhi: SnapshotOutputRateLimitTestCase.testSnapshotOutputRateLimitQuery27
@app:playback
-- lengthBatch(3), group by ip without aggregates: the second batch's events .5, .6, .7.
-- AppStart models siddhiAppRuntime.start() at 0: the test sleeps before its first event, and Siddhi's
-- snapshot periods run from the app's start (ticks at 1000, 2000, ...).
CREATE STREAM AppStart (t BIGINT);
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING, calls INT);
INSERT ALL EVENTS INTO uniqueIps SELECT ip FROM LoginEvents WINDOW('lengthBatch', 3) GROUP BY ip OUTPUT SNAPSHOT EVERY 1 SEC;
