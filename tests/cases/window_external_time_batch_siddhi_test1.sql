-- Siddhi: ExternalTimeBatchWindowTestCase.test1
@app:playback
-- Batches [10000, 15000), [15000, 20000), [20000, 25000): three batches are emitted, starting with values
-- 1, 6 and 11; the event at 25000 opens a fourth batch that never closes.
CREATE STREAM inputStream (currentTime BIGINT, value INT);
INSERT INTO outputStream SELECT value FROM inputStream WINDOW('externalTimeBatch', currentTime, 5 SEC);
