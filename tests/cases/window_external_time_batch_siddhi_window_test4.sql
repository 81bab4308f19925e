-- Siddhi: ExternalTimeBatchWindowTestCase.externalTimeBatchWindowTest4
@app:playback
-- Batches on the 1 s grid from 0: 3 current rows, no expired.
-- Siddhi's selector emits one row per chunk for an aggregation without GROUP BY: the chunk's last
-- event, so a flush [expired..., reset, current...] gives only a current row.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT ALL EVENTS INTO uniqueIps SELECT timestamp, ip, count() AS total FROM LoginEvents WINDOW('externalTimeBatch', timestamp, 1 SEC, 0, 6 SEC);
