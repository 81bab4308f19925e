-- Siddhi: TimeBatchWindowTestCase.timeWindowBatchTest1
@app:playback
-- timeBatch(1 sec) with sum, all events: the batch closing at 2000 gives one current row (its last event,
-- sum 760.5); at 3000 the batch expires with an empty batch after it, giving one expired row (the last
-- expired event; Siddhi's sum of nothing is null). 1 in event, 1 remove event.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT ALL EVENTS INTO outputStream SELECT symbol, sum(price) AS sumPrice, volume FROM cseEventStream WINDOW('timeBatch', 1 SEC);
