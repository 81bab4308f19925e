-- Siddhi: SnapshotOutputRateLimitTestCase.testSnapshotOutputRateLimitQuery3
@app:playback
-- No window: the last event at each snapshot: .3 at 1000 and 2000, .4 at 3000 (3 events).
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT ALL EVENTS INTO uniqueIps SELECT ip FROM LoginEvents OUTPUT SNAPSHOT EVERY 1 SEC;
