-- Siddhi: ExternalTimeBatchWindowTestCase.test2
@app:playback
-- start.time 1200: batches end at 11200, 16200, 21200. The first batch holds values 0..11 (the test checks
-- its first and last), the second starts with 12 and holds 12..61; the third never closes.
CREATE STREAM inputStream (currentTime BIGINT, value INT);
INSERT INTO outputStream SELECT value FROM inputStream WINDOW('externalTimeBatch', currentTime, 5 SEC, 1200);
