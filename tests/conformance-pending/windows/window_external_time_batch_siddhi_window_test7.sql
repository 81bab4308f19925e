-- Siddhi: ExternalTimeBatchWindowTestCase.externalTimeBatchWindowTest7
@app:playback
-- Timeout 2 s (Siddhi counts it from the event that opened the batch, and re-arms it after each firing).
-- Clock: 7 events at 1000, two at 4010 (late, by the attribute, for the batch the timeout already emitted),
-- two at 7020. Siddhi's rows: count 4 (5599 closes [4000,5000)); count 3 (timeout at 3004 emits [5000,6000));
-- count 5 (timeout at 5004: the late pair is emitted together with the batch it belongs to, re-sent);
-- count 2 (6606 opens [6000,7000), emitted by the timeout at 9020). 4 current rows, no expired.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT ALL EVENTS INTO uniqueIps SELECT timestamp, ip, count() AS total FROM LoginEvents WINDOW('externalTimeBatch', timestamp, 1 SEC, 0, 2 SEC);
