-- Siddhi: ExternalTimeBatchWindowTestCase.externalTimeBatchWindowTest6
@app:playback
-- 5599 closes the first batch (count 4); the timeout emits the second (count 3). No expired rows.
-- Siddhi's selector emits one row per chunk for an aggregation without GROUP BY: the chunk's last
-- event, so a flush [expired..., reset, current...] gives only a current row.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT ALL EVENTS INTO uniqueIps SELECT timestamp, ip, count() AS total FROM LoginEvents WINDOW('externalTimeBatch', timestamp, 1 SEC, 0, 3 SEC);
