-- Siddhi: LengthBatchWindowTestCase.lengthBatchWindowTest15
@app:playback
-- Batches of one, all events, count(): each arrival's chunk is [previous expired, reset, arrival] and
-- the aggregation emits only its last event: 9 rows, each count 1, none expired.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT ALL EVENTS INTO outputStream SELECT symbol, price, count() AS volumes FROM cseEventStream WINDOW('lengthBatch', 1, true);
