-- Siddhi: ExternalTimeBatchWindowTestCase.externalTimeBatchWindowTest3
@app:playback
-- The third event (5341) closes [4341, 5341): 3 current rows, no expired.
-- Siddhi's selector emits one row per chunk for an aggregation without GROUP BY: the chunk's last
-- event, so a flush [expired..., reset, current...] gives only a current row.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT ALL EVENTS INTO uniqueIps SELECT timestamp, ip, count() AS total FROM LoginEvents WINDOW('externalTimeBatch', timestamp, 1 SEC);
