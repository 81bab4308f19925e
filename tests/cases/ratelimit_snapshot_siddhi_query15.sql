-- Siddhi: SnapshotOutputRateLimitTestCase.testSnapshotOutputRateLimitQuery15
@app:playback
-- time(1 sec): [.5, .3] at 1000; they expire at 1100, so 2000 is empty; [.5, .3] again at 3000.
-- AppStart models siddhiAppRuntime.start() at 0: the test sleeps before its first event, and Siddhi's
-- snapshot periods run from the app's start (ticks at 1000, 2000, ...).
CREATE STREAM AppStart (t BIGINT);
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING, calls INT);
INSERT ALL EVENTS INTO uniqueIps SELECT ip FROM LoginEvents WINDOW('time', 1 SEC) OUTPUT SNAPSHOT EVERY 1 SEC;
