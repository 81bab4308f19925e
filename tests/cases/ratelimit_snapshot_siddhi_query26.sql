-- Siddhi: SnapshotOutputRateLimitTestCase.testSnapshotOutputRateLimitQuery26
@app:playback
-- lengthBatch(3), ip with sum, group by ip: (.5,1), (.6,1), (.7,2).
-- AppStart models siddhiAppRuntime.start() at 0: the test sleeps before its first event, and Siddhi's
-- snapshot periods run from the app's start (ticks at 1000, 2000, ...).
CREATE STREAM AppStart (t BIGINT);
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING, calls INT);
INSERT ALL EVENTS INTO uniqueIps SELECT ip, sum(calls) AS totalCalls FROM LoginEvents WINDOW('lengthBatch', 3) GROUP BY ip OUTPUT SNAPSHOT EVERY 1 SEC;
