-- Siddhi: ExternalTimeBatchWindowTestCase.externalTimeBatchWindowTest5
@app:playback
-- All 4 events fall in [4000, 5000); no later event closes it, the 3 s timeout does (Thread.sleep(5000)):
-- 1 current row, count 4.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT ALL EVENTS INTO uniqueIps SELECT timestamp, ip, count() AS total FROM LoginEvents WINDOW('externalTimeBatch', timestamp, 1 SEC, 0, 3 SEC);
