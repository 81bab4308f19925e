-- Siddhi: ExternalTimeBatchWindowTestCase.schedulerLastBatchTriggerTest
@app:playback
-- Events 100 ms apart on the clock. Batches close at 15000, 20100, 25000 and 32000 (by the attribute), and
-- the last batch [32000, 33000] is emitted by the 6 s timeout: 5 chunks starting with 1, 6, 11, 14, 15.
CREATE STREAM inputStream (currentTime BIGINT, value INT);
INSERT CURRENT EVENTS INTO outputStream SELECT value, currentTime FROM inputStream WINDOW('externalTimeBatch', currentTime, 5 SEC, 0, 6 SEC);
