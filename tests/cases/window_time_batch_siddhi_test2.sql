-- Siddhi: TimeBatchWindowTestCase.timeWindowBatchTest2
@app:playback
-- Events at 1000, 2100-2102 and 3202-3203 (the Thread.sleep(1100) calls); batches close at 2000, 3000,
-- 4000 and 5000 (the first event starts the batch grid); one row per batch chunk, its last event's.
-- All events: 3 current rows; the only remove event is at 5000, when the last batch expires with nothing after it.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT ALL EVENTS INTO outputStream SELECT symbol, sum(price) AS price FROM cseEventStream WINDOW('timeBatch', 1 SEC);
