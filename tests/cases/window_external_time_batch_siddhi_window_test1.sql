-- Siddhi: ExternalTimeBatchWindowTestCase.externalTimeBatchWindowTest1
@app:playback
-- 2 current rows and no expired ones (the timeout does not fire within the test's 1 s sleep).
-- Siddhi's selector emits one row per chunk for an aggregation without GROUP BY: the chunk's last
-- event, so a flush [expired..., reset, current...] gives only a current row.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT ALL EVENTS INTO uniqueIps SELECT timestamp, ip, count() AS total FROM LoginEvents WINDOW('externalTimeBatch', timestamp, 1 SEC, 0, 6 SEC);
