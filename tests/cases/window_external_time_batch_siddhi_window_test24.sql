-- Siddhi: ExternalTimeBatchWindowTestCase.externalTimeBatchWindowTest24
@app:playback
-- start.time 123 (batches end at ...5123, ...6123, ...): 4 current rows, no expired.
-- Siddhi's selector emits one row per chunk for an aggregation without GROUP BY: the chunk's last
-- event, so a flush [expired..., reset, current...] gives only a current row.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT ALL EVENTS INTO uniqueIps SELECT timestamp, ip, count() AS total FROM LoginEvents WINDOW('externalTimeBatch', timestamp, 1 SEC, 123, 100);
