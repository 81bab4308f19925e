-- Siddhi: ExternalTimeBatchWindowTestCase.externalTimeBatchWindowTest11
@app:playback
-- No timeout: 5599 closes [4000,5000) (count 4); the late events all fall in [5000,6000), closed by 6606
-- (count 7); [6000,7000) never closes.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT INTO uniqueIps SELECT timestamp, ip, count() AS total FROM LoginEvents WINDOW('externalTimeBatch', timestamp, 1 SEC, 0);
