-- Siddhi: TimeBatchWindowTestCase.timeWindowBatchTest12
@app:playback
-- timeBatch(2 sec, 123): batches on the grid 123 + k*2000. Events at 2000 (the test waits for a multiple of
-- 2000 ms), 10500 and 23500; 3 current rows (each batch's last event), no remove events.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT INTO outputStream SELECT symbol, sum(price) AS sumPrice, volume FROM cseEventStream WINDOW('timeBatch', 2 SEC, 123);
