-- Siddhi: ExternalTimeBatchWindowTestCase.externalTimeBatchWindowTest10
@app:playback
-- Timeout 2 s; clock: 7 events at 1000, two at 3100, four at 5200 (the Thread.sleep(2100) calls). Siddhi's
-- counts 4, 3, 5, 7, 2: 5599 closes [4000,5000) (4); the timeout at 3004 emits [5000,6000) (3); the late
-- pair re-sends that batch with them at the timeout at 5004 (5); 6606 closes it again with the next late
-- pair (7); the timeout at 7202 emits [6000,7000) (2).
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT INTO uniqueIps SELECT timestamp, ip, count() AS total FROM LoginEvents WINDOW('externalTimeBatch', timestamp, 1 SEC, 0, 2 SEC);
